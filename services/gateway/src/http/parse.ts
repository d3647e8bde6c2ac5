import { detailsFromZod, TopDogError } from '@topdog/contracts';
import type { z } from 'zod';
import { firstIllFormedString } from './well-formed';

/** Validates request input; every bad field is named in one 400. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what = 'body'): z.infer<S> {
  if (what === 'body' && (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field: '(body)', reason: 'must be a JSON object' }]);
  }
  // A lone surrogate could not be stored (the event hash refuses it): a 400 naming the field, not a 500.
  const illFormed = what === 'body' ? firstIllFormedString(input) : undefined;
  if (illFormed !== undefined) {
    throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field: illFormed, reason: 'holds a lone UTF-16 surrogate (not a character)' }]);
  }
  const result = schema.safeParse(input);
  if (!result.success) throw new TopDogError('VALIDATION_FAILED', 'invalid request', detailsFromZod(result.error));
  return result.data;
}
