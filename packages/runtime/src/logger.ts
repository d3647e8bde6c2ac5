import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that may hold secrets or bulky prompt text; redacted wherever they appear in a log
 * line's object.
 */
const REDACT = [
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.Authorization',
  '*.token',
  '*.password',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers["x-api-key"]',
  '*.key',
  '*.secretHash',
  // A webhook's signing secret (never logged on purpose; this catches a record logged whole).
  'secret',
  '*.secret',
  '*.cookie',
  'headers.cookie',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'NATS_PASSWORD',
  '*.NATS_PASSWORD',
  'LOCAL_LLM_API_KEY',
  'TOPDOG_ADMIN_KEY',
  '*.OPENAI_API_KEY',
  '*.ANTHROPIC_API_KEY',
  '*.LOCAL_LLM_API_KEY',
  '*.TOPDOG_ADMIN_KEY',
  // May hold a KurrentDB user's password; the client keeps it on its parse errors.
  'KURRENTDB_CONNECTION_STRING',
  '*.KURRENTDB_CONNECTION_STRING',
  '*.connectionString',
  'err.cause.connectionString',
];

/**
 * pino's error serializer, with the error's own `name` as its `type` where it sets one: pino
 * takes the class's name, which the bundles may have renamed apart from another class of the
 * same name (`TimeoutError6`); the name an error sets is never renamed.
 */
export function serializeError(err: Error): ReturnType<typeof pino.stdSerializers.err> {
  const serialized = pino.stdSerializers.err(err);
  if (err instanceof Error && err.name !== 'Error') serialized.type = err.name;
  return serialized;
}

/** The service's root logger: JSON lines with `service` and `instance` on each. */
export function createLogger(service: string, level: string, instanceId: string): Logger {
  return pino({
    level,
    base: { service, instance: instanceId },
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
