import { PREFIX_PATTERN } from '@topdog/contracts';
import * as z from 'zod';

/** Settings every service reads. Each service extends this with its own. */
export const BaseConfig = z.object({
  NATS_URL: z
    .string()
    .default('nats://127.0.0.1:4222')
    .refine((v) => v.split(',').every((u) => /^(nats|tls|ws|wss):\/\/[^\s]+$/.test(u.trim())), 'must be nats://host:port (comma-separated for several)'),
  TOPDOG_PREFIX: z.string().regex(PREFIX_PATTERN, 'must be 1-32 letters, digits, _ or -').default('topdog'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INSTANCE_ID: z.string().min(1).max(100).optional(),
  /** Where the events live: JetStream on the bus (default), or a KurrentDB server (KURRENTDB_CONNECTION_STRING). */
  EVENT_STORE: z.enum(['jetstream', 'kurrentdb']).default('jetstream'),
  /** `kurrentdb://host:2113?tls=false` (may hold credentials: never logged). */
  KURRENTDB_CONNECTION_STRING: z
    .string()
    .regex(/^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\//, 'must be a kurrentdb:// connection string')
    .optional(),
  /** The bus user and its password (secrets: never logged); or NATS_CREDS, a creds file (JWT and nkey seed). */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_CREDS: z.string().min(1).optional(),
  /**
   * The service's own HTTP port for its operators, `/healthz` and `/readyz` (every service but the
   * gateway, which serves them on its own port); unset: none. 0 takes a free port (logged).
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Where that port listens: loopback unless a scraper or prober elsewhere must reach it. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * The prefix of this service's reply subjects; by default `_INBOX_<service>`, the one its bus
   * user may read (`busInbox`). Set it when the bus's users are configured another way.
   */
  NATS_INBOX_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or - (one subject token, no wildcards)')
    .optional(),
});
export type BaseConfig = z.infer<typeof BaseConfig>;

/** A setting had a bad value: the message names each variable and the reason. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses settings from the environment; throws a ConfigError naming every bad variable. */
export function parseConfig<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(defined);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

/** A positive integer setting given in the environment as text. */
export const intSetting = (defaultValue: number, min = 1, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(defaultValue);

/** A yes/no setting given in the environment as `true` or `false`. */
export const boolSetting = (defaultValue: boolean) =>
  z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true');
