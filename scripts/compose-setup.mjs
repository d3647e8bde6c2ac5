#!/usr/bin/env node
// `pnpm compose:setup`: what docker-compose.yml needs beside itself.
// - deploy/nats-users.conf: the bus users and their permissions (packages/runtime/src/nats-permissions.ts)
//   for the deployment's prefix (TOPDOG_PREFIX from the shell or .env; `topdog` by default, as
//   committed), each password a reference to its environment variable
//   (TOPDOG_NATS_PASSWORD_<USER>). It holds no secret and is committed; this writes it again after
//   the permissions change (a test fails until it is).
// - .env next to docker-compose.yml (compose reads it by itself, mode 0600, never committed): a
//   random password for each bus user, a bootstrap admin key and Grafana's admin password, added where missing and never
//   changed once there. Provider keys go in it, or in your shell.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const generator = join(root, 'packages', 'runtime', 'dist', 'nats-server-auth.mjs');
if (!existsSync(generator)) {
  console.error(`${generator} is missing: run pnpm build`);
  process.exit(1);
}
const { natsServerAuthConfigFromEnvironment, busPasswordVariable, generateBusPasswords } = await import(pathToFileURL(generator).href);

const envFile = join(root, '.env');
const existing = existsSync(envFile) ? readFileSync(envFile, 'utf8') : '';
const fromEnvFile = /^TOPDOG_PREFIX=(.*)$/m.exec(existing)?.[1]?.trim();
const prefix = process.env.TOPDOG_PREFIX || fromEnvFile || 'topdog';

const usersFile = join(root, 'deploy', 'nats-users.conf');
const header = [
  `# The bus users of docker-compose.yml (prefix ${prefix}), each with its permissions; written by`,
  '# `pnpm compose:setup` from packages/runtime/src/nats-permissions.ts: do not edit by hand.',
  '# Each password is read from its environment variable, set by compose from .env.',
];
writeFileSync(usersFile, `${[...header, natsServerAuthConfigFromEnvironment(prefix)].join('\n')}\n`);
console.log(`wrote ${usersFile} for the prefix ${prefix}`);

const defined = new Set(existing.split('\n').map((line) => line.split('=')[0]?.trim()));
const wanted = [
  ...Object.entries(generateBusPasswords()).map(([account, password]) => [busPasswordVariable(account), password]),
  ['TOPDOG_ADMIN_KEY', `tdk_${randomBytes(32).toString('base64url')}`],
  // Grafana's `admin` user, in the observability profile.
  ['GRAFANA_ADMIN_PASSWORD', randomBytes(18).toString('base64url')],
];
const added = wanted.filter(([name]) => !defined.has(name));
if (added.length > 0) {
  const lines = added.map(([name, value]) => `${name}=${value}`);
  writeFileSync(envFile, `${existing}${existing && !existing.endsWith('\n') ? '\n' : ''}${lines.join('\n')}\n`, { mode: 0o600 });
}
if (existsSync(envFile)) chmodSync(envFile, 0o600);
console.log(added.length > 0 ? `added ${added.map(([name]) => name).join(', ')} to ${envFile}` : `${envFile} already has every secret`);
