import * as z from 'zod';

/** A workflow's id, chosen by the gateway (random, or derived from an Idempotency-Key). */
export const WorkflowId = z.uuid();
/** A model call's id, chosen by whoever requests the call. */
export const CallId = z.uuid();
