import { detailsFromZod, TopDogError, type Reply } from '@topdog/contracts';
import type { Logger } from 'pino';
import type { z } from 'zod';

/**
 * Validates a request at the NATS boundary, runs the handler, and turns the outcome into a
 * reply: typed errors keep their code; anything else is logged and answered as INTERNAL.
 */
export async function replyTo<S extends z.ZodType, T>(
  schema: S,
  raw: unknown,
  logger: Logger,
  handle: (input: z.infer<S>) => Promise<T>,
): Promise<Reply<T>> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: 'invalid request', details: detailsFromZod(parsed.error) },
    };
  }
  try {
    return { ok: true, value: await handle(parsed.data) };
  } catch (err) {
    if (err instanceof TopDogError) return { ok: false, error: err.toBody() };
    logger.error({ err }, 'request failed');
    return { ok: false, error: { code: 'INTERNAL', message: 'internal error', details: [] } };
  }
}
