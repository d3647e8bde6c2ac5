import { detailsFromZod, TopDogError, type AnswerOf, type ReceivedOf, type Reply, type RequestDefinition } from '@topdog/contracts';
import type { Logger } from 'pino';

/**
 * The handler's side of a request of the catalogue: validates what arrived with the
 * definition's request schema, runs the handler, and turns the outcome into a reply. Typed
 * errors keep their code; anything else is logged and answered as INTERNAL.
 */
export async function handleRequest<D extends RequestDefinition>(
  definition: D,
  raw: unknown,
  logger: Logger,
  handle: (input: ReceivedOf<D>) => Promise<AnswerOf<D>> | AnswerOf<D>,
): Promise<Reply<AnswerOf<D>>> {
  const parsed = definition.request.safeParse(raw ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: 'invalid request', details: detailsFromZod(parsed.error) },
    };
  }
  try {
    return { ok: true, value: await handle(parsed.data as ReceivedOf<D>) };
  } catch (err) {
    if (err instanceof TopDogError) return { ok: false, error: err.toBody() };
    logger.error({ err, subject: definition.subject }, 'request failed');
    return { ok: false, error: { code: 'INTERNAL', message: 'internal error', details: [] } };
  }
}
