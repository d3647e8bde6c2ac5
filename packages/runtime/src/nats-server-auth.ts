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
  const permissions = busPermissions(prefix);
  const users = [
    ...BUS_USERS.map((user) => ({ user, password: passwords[user], permissions: permissionsBlock(permissions[user]) })),
    { user: 'admin', password: passwords.admin },
  ];
  const lines = [`authorization: ${JSON.stringify({ users }, null, 2)}`];
  if (options.unauthenticatedAs) lines.push(`no_auth_user: ${JSON.stringify(options.unauthenticatedAs)}`);
  return lines.join('\n');
}
