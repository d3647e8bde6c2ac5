import type { AccessRole } from '@topdog/contracts';
import { isDashboardRoute } from '../dashboard/dashboard-routes';
import { isDocsRoute } from '../openapi/docs-routes';

const RANK: Readonly<Record<AccessRole, number>> = { reader: 0, writer: 1, admin: 2 };

/** Whether a role includes another: admin ⊃ writer ⊃ reader. */
export const roleAllows = (role: AccessRole, needed: AccessRole): boolean => RANK[role] >= RANK[needed];

/** Routes anyone may call: liveness, readiness, the metrics, the API's documentation and the dashboard's files (the page signs in itself). */
export const isPublicRoute = (route: string | undefined): boolean =>
  route === '/healthz' || route === '/readyz' || route === '/metrics' || isDocsRoute(route) || isDashboardRoute(route);

/** The workflow commands, named: writer, whatever the default below becomes. */
export const WORKFLOW_COMMAND_ROUTES: ReadonlySet<string> = new Set([
  '/api/ai-workflows/initialize',
  '/api/ai-workflows/complete-phase',
  '/api/ai-workflows/:workflow_id/run-phase',
  '/api/ai-workflows/:workflow_id/approve',
  '/api/ai-workflows/:workflow_id/reject',
  '/api/ai-workflows/:workflow_id/send-back',
  '/api/ai-workflows/:workflow_id/cancel',
  '/api/ai-workflows/:workflow_id/fork',
]);

/**
 * The role a route needs, by its pattern (the matched route, not the raw URL, so no spelling of
 * a path reaches a route under another rule): administration needs admin; a command, or registering
 * or deleting a webhook, writer; everything else, get-ai-prompt included (a POST that reads),
 * reader. A person's decisions on a workflow (approve, reject, send-back, cancel) are commands:
 * writer, as complete-phase.
 */
export function roleNeeded(method: string, route: string | undefined): AccessRole {
  if (route?.startsWith('/api/admin/')) return 'admin';
  if (route !== undefined && WORKFLOW_COMMAND_ROUTES.has(route)) return 'writer';
  // Webhooks: registering and deleting one (in the caller's own projects) needs writer; listing
  // them and reading their deliveries, reader.
  if (route === '/api/webhooks' || route?.startsWith('/api/webhooks/')) return method === 'GET' || method === 'HEAD' ? 'reader' : 'writer';
  // Reading is GET (and HEAD), and get-ai-prompt, a POST that reads; any other method writes,
  // so a route added later with PUT, PATCH or DELETE needs writer at least by default.
  const reads = method === 'GET' || method === 'HEAD' || (method === 'POST' && (route?.startsWith('/api/ai-workflows/get-ai-prompt/') ?? false));
  return reads ? 'reader' : 'writer';
}
