import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { table } from '../output';

const ROLES = ['reader', 'writer', 'admin'] as const;

/** keys create|list|revoke: API keys (needs an admin credential). */
export function registerKeysCommands(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('API keys (admin): create, list, revoke');

  keys
    .command('create')
    .description('create an API key: it is printed once, keep it')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--projects <list>', 'comma-separated projects, or * for every one')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--expires-at <iso-time>', 'when it stops working (ISO 8601)')
    .action((o: { name: string; projects: string; role: (typeof ROLES)[number]; expiresAt?: string }) =>
      ctx.run(async ({ client, out }) => {
        const projects = o.projects
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        const created = await client.createKey({ name: o.name, projects, role: o.role, ...(o.expiresAt ? { expires_at: o.expiresAt } : {}) });
        out.result(
          created,
          (k) => `${k.key}\n(id ${k.id}, ${k.role} on ${k.projects.join(',')}${k.expires_at ? `, expires ${k.expires_at}` : ''}: shown only now)`,
        );
      }),
    );

  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .action(() =>
      ctx.run(async ({ client, out }) => {
        const list = await client.listKeys();
        out.result(list, (ks) =>
          ks.length === 0
            ? 'no API keys (only the bootstrap admin key, if one is configured)'
            : table(
                ['id', 'name', 'role', 'projects', 'expires', 'created by'],
                ks.map((k) => [k.id, k.name, k.role, k.projects.join(','), k.expires_at ?? '-', k.created_by]),
              ),
        );
      }),
    );

  keys
    .command('revoke <id>')
    .description('revoke an API key, at once on every gateway instance')
    .action((id: string) =>
      ctx.run(async ({ client, out }) => {
        await client.revokeKey(id);
        out.result({ id, revoked: true }, () => `revoked ${id}`);
      }),
    );
}
