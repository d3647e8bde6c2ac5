import * as z from 'zod';
import { AnyEnvelope } from '../envelope';
import { LlmCallRequested } from './llm-call.events';

/**
 * A model call as the orchestrator queues it for the llm-runners: the LlmCallRequested event,
 * envelope and all, as it is about to be appended (its stream and revision; the position is the
 * store's to give). Queued before the commit holding it is appended, so an accepted call is
 * always in the queue; a queued call whose commit never made it is known by the orchestrator's
 * answer (`unknown`) and dropped once it is older than any append could take.
 */
export const QueuedLlmCall = AnyEnvelope.omit({ position: true, type: true, data: true }).extend({
  ...LlmCallRequested.shape,
  /**
   * The stream's revision the commit holding it is appended on (-1: a new stream). Once the
   * stream is past it without the call, the call can never be stored.
   */
  expectedRevision: z.number().int().min(-1).optional(),
});
export type QueuedLlmCall = z.infer<typeof QueuedLlmCall>;
