import * as z from 'zod';
import { Actor } from './envelope';
import { TopDogError } from './errors';

/** What a caller may do: read (and follow live), also send commands, or also administer. */
export const AccessRole = z.enum(['reader', 'writer', 'admin']);
export type AccessRole = z.infer<typeof AccessRole>;

/** The projects a caller may see: named ones, or every one (`["*"]`). */
export const ProjectScope = z.array(z.string().min(1).max(200)).min(1).max(1000);
export type ProjectScope = z.infer<typeof ProjectScope>;

export const ALL_PROJECTS = '*';

/**
 * Who is calling, as the gateway established it from a credential: the actor recorded in every
 * event the caller causes (`key:<id>` or `jwt:<issuer>#<subject>`), its role and its projects.
 */
export const Identity = z.object({
  actor: Actor,
  /** When the credential stops being valid (null: never); long-lived streams end then. */
  expiresAt: z.iso.datetime().nullable().default(null),
  role: AccessRole,
  projects: ProjectScope,
});
export type Identity = z.infer<typeof Identity>;

/** Whether a scope covers a project. */
export const inScope = (scope: ProjectScope, projectId: string): boolean => scope.includes(ALL_PROJECTS) || scope.includes(projectId);

/**
 * The workflow found, when the caller may see it: it exists, and its project is in the caller's
 * scope. Otherwise NOT_FOUND, the same answer for both, so another project's ids reveal nothing.
 */
export function requireVisible<T extends { projectId: string }>(scope: ProjectScope, workflowId: string, found: T | undefined): T {
  if (found === undefined || !inScope(scope, found.projectId)) throw new TopDogError('NOT_FOUND', `workflow ${workflowId} not found`);
  return found;
}
