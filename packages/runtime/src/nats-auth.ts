import { readFileSync } from 'node:fs';
import { credsAuthenticator, usernamePasswordAuthenticator, type Authenticator } from '@nats-io/transport-node';
import { ConfigError, type BaseConfig } from './config';

/**
 * How a service proves who it is to NATS, from its settings: NATS_USER with NATS_PASSWORD, or
 * NATS_CREDS (a creds file, read now so a missing file stops the service at once), or nothing.
 * A half-given or doubly-given setting is a ConfigError naming the variables.
 */
export function natsAuthenticator(config: Pick<BaseConfig, 'NATS_USER' | 'NATS_PASSWORD' | 'NATS_CREDS'>): Authenticator | undefined {
  const { NATS_USER: user, NATS_PASSWORD: password, NATS_CREDS: creds } = config;
  if (creds !== undefined && (user !== undefined || password !== undefined)) {
    throw new ConfigError('invalid configuration:\n  NATS_CREDS: give either NATS_CREDS or NATS_USER and NATS_PASSWORD, not both');
  }
  if ((user === undefined) !== (password === undefined)) {
    throw new ConfigError(
      `invalid configuration:\n  ${user === undefined ? 'NATS_USER' : 'NATS_PASSWORD'}: required with ${user === undefined ? 'NATS_PASSWORD' : 'NATS_USER'}`,
    );
  }
  if (creds !== undefined) {
    let file: Uint8Array;
    try {
      file = readFileSync(creds);
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  NATS_CREDS: cannot read ${creds} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return credsAuthenticator(file);
  }
  return user !== undefined && password !== undefined ? usernamePasswordAuthenticator(user, password) : undefined;
}
