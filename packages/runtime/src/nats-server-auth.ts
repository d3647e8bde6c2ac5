import { randomBytes } from 'node:crypto';
import { BUS_USERS, busPermissions, type BusPermissions, type BusUser } from './nats-permissions';

/** A user on the bus with its password; `admin` may do anything (operators, test clients). */
export type BusAccount = BusUser | 'admin';
export type BusPasswords = Record<BusAccount, string>;

/** A fresh random password for every account (hex: nothing to quote or escape in a config file). */
export function generateBusPasswords(): BusPasswords {
  const accounts: BusAccount[] = [...BUS_USERS, 'admin'];
  return Object.fromEntries(accounts.map((a) => [a, randomBytes(24).toString('hex')])) as BusPasswords;
}

function permissionsBlock(p: BusPermissions) {
  const side = ({ allow, deny }: { allow: string[]; deny: string[] }) => (deny.length > 0 ? { allow, deny } : { allow });
  return { publish: side(p.publish), subscribe: side(p.subscribe) };
}

export interface NatsServerAuthOptions {
  /**
   * The account a client connecting without credentials is taken to be (nats-server's
   * `no_auth_user`). Unset: such a client is refused.
   */
  unauthenticatedAs?: BusAccount;
}

/**
 * The nats-server configuration lines for a deployment's users: each service and the reader
 * with its permissions (`busPermissions`), and `admin` with none withheld. Plain passwords,
 * which every nats-server since 2.0 takes (the file holding them is the secret to protect).
 */
export function natsServerAuthConfig(prefix: string, passwords: BusPasswords, options: NatsServerAuthOptions = {}): string {
  const lines = [`authorization: ${usersBlock(prefix, (account) => JSON.stringify(passwords[account]))}`];
  if (options.unauthenticatedAs) lines.push(`no_auth_user: ${JSON.stringify(options.unauthenticatedAs)}`);
  return lines.join('\n');
}

/** The environment variable holding an account's password where the server takes it from there. */
export const busPasswordVariable = (account: BusAccount): string => `TOPDOG_NATS_PASSWORD_${account.toUpperCase().replace(/-/g, '_')}`;

/**
 * The same users with each password a reference to its environment variable
 * (`busPasswordVariable`): a file with no secret in it, for servers started with the passwords in
 * their environment (`deploy/nats-users.conf`). nats-server refuses to start when one is unset.
 */
export function natsServerAuthConfigFromEnvironment(prefix: string): string {
  return `authorization: ${usersBlock(prefix, (account) => `$${busPasswordVariable(account)}`)}`;
}

/** nats-server's `authorization` block (JSON, which its configuration format reads) with each password as `password` renders it. */
function usersBlock(prefix: string, password: (account: BusAccount) => string): string {
  const permissions = busPermissions(prefix);
  const users = [
    ...BUS_USERS.map((user) => ({ user, password: `\u0000${user}`, permissions: permissionsBlock(permissions[user]) })),
    { user: 'admin', password: '\u0000admin' },
  ];
  // Each password is a placeholder, swapped for its value once the rest is JSON: a variable reference is not a JSON string.
  return JSON.stringify({ users }, null, 2).replace(/"\\u0000([a-z-]+)"/g, (_, account: BusAccount) => password(account));
}
