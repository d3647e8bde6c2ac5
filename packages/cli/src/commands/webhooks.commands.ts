import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { table } from '../output';

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * `topdog webhooks create --url <webhook url>`: the program's own `--url` (the gateway) would
 * take it wherever it stands, so a `--url` after `webhooks create` is renamed `--webhook-url`
 * before parsing; `--url` before the subcommand still names the gateway.
 */
export function webhookUrlArgs(argv: readonly string[]): string[] {
  const at = argv.findIndex((a, i) => a === 'webhooks' && argv[i + 1] === 'create');
  if (at < 0) return [...argv];
  return argv.map((a, i) => (i <= at + 1 ? a : a === '--url' ? '--webhook-url' : a.startsWith('--url=') ? `--webhook-url=${a.slice('--url='.length)}` : a));
}

/** webhooks create|list|delete|deliveries: signed deliveries of a project's workflow events. */
export function registerWebhooksCommands(program: Command, ctx: CliContext): void {
  const webhooks = program.command('webhooks').description("webhooks of your projects' workflow events: create, list, delete, deliveries");

  webhooks
    .command('create')
    .description('register a webhook: its secret is printed once, keep it to verify signatures')
    .usage('--url <url> --events <list> --project <project>')
    .requiredOption('--webhook-url <url>', 'given as --url: where events are POSTed (http or https)')
    .requiredOption('--events <list>', 'comma-separated event types (WorkflowInitialized,PhaseCompleted,WorkflowCompleted,…)')
    .requiredOption('--project <project>', 'the project whose workflows it follows')
    .action((o: { webhookUrl: string; events: string; project: string }) =>
      ctx.run(async ({ client, out }) => {
        const created = await client.webhooks.create({ url: o.webhookUrl, events: list(o.events), project_id: o.project });
        out.result(created, (w) => `${w.secret}\n(id ${w.id}, ${w.events.join(',')} of project ${w.project_id} to ${w.url}: the secret is shown only now)`);
      }),
    );

  webhooks
    .command('list')
    .description('list the webhooks of your projects (never their secrets)')
    .action(() =>
      ctx.run(async ({ client, out }) => {
        const hooks = await client.webhooks.list();
        out.result(hooks, (ws) =>
          ws.length === 0
            ? 'no webhooks'
            : table(
                ['id', 'project', 'url', 'events', 'created'],
                ws.map((w) => [w.id, w.project_id, w.url, w.events.join(','), w.created_at]),
              ),
        );
      }),
    );

  webhooks
    .command('delete <id>')
    .description('delete a webhook: nothing more is sent to it')
    .action((id: string) =>
      ctx.run(async ({ client, out }) => {
        await client.webhooks.delete(id);
        out.result({ id, deleted: true }, () => `deleted ${id}`);
      }),
    );

  webhooks
    .command('deliveries <id>')
    .description("a webhook's last delivery attempts, newest first")
    .action((id: string) =>
      ctx.run(async ({ client, out }) => {
        const deliveries = await client.webhooks.deliveries(id);
        out.result(deliveries, (ds) =>
          ds.length === 0
            ? 'no deliveries yet'
            : table(
                ['event', 'attempt', 'status', 'error', 'at'],
                ds.map((d) => [String(d.event_id), String(d.attempt), d.status_code === null ? '-' : String(d.status_code), d.error ?? '', d.at]),
              ),
        );
      }),
    );
}
