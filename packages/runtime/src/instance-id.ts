import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** A name for this process: the configured one, or host, pid and a random suffix. */
export function instanceId(service: string, configured?: string): string {
  return configured ?? `${service}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
