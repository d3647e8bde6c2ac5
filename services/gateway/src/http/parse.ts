import { detailsFromZod, TopDogError } from '@topdog/contracts';
import type { z } from 'zod';

/** Validates request input; every bad field is named in one 400. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what = 'body'): z.infer<S> {
  if (what === 'body' && (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field: '(body)', reason: 'must be a JSON object' }]);
  }
  const result = schema.safeParse(input);
  if (!result.success) throw new TopDogError('VALIDATION_FAILED', 'invalid request', detailsFromZod(result.error));
  return result.data;
}
