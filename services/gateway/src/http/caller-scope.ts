import { ALL_PROJECTS, type ProjectScope } from '@topdog/contracts';
import type { FastifyRequest } from 'fastify';

/**
 * The projects the caller of `request` may see. Until requests are authenticated every
 * caller sees every project: authentication replaces this with its identity's `projects`.
 */
export function scopeOf(_request: FastifyRequest): ProjectScope {
  return [ALL_PROJECTS];
}
