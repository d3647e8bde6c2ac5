import { TopDogError, type Identity, type ProjectScope } from '@topdog/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isPublicRoute, roleAllows, roleNeeded } from '../auth/access-policy';
import type { Authenticate } from '../auth/authenticator';
import { errorBodyOf, sendError } from './error.filter';

const IDENTITY = Symbol('identity');
type AuthenticatedRequest = FastifyRequest & { [IDENTITY]?: Identity };

/**
 * Authenticates every request but the public routes before anything else runs (before the body
 * is read), and refuses a role that may not call the route: 401 UNAUTHORIZED or 403 FORBIDDEN.
 */
export function installAuthentication(fastify: FastifyInstance, authenticate: Authenticate): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (isPublicRoute(route)) return;
    try {
      const identity = await authenticate(request.headers.authorization);
      const needed = roleNeeded(request.method, route);
      if (!roleAllows(identity.role, needed)) {
        throw new TopDogError('FORBIDDEN', `this needs the ${needed} role; the credential has ${identity.role}`);
      }
      (request as AuthenticatedRequest)[IDENTITY] = identity;
    } catch (err) {
      sendError(reply, errorBodyOf(err));
      return reply;
    }
  });
}

/** The authenticated caller of a request, if the hook has established one (none on public routes). */
export const identityOfOptional = (request: FastifyRequest): Identity | undefined => (request as AuthenticatedRequest)[IDENTITY];

/** The authenticated caller of a request (the hook has run on every non-public route). */
export function identityOf(request: FastifyRequest): Identity {
  const identity = (request as AuthenticatedRequest)[IDENTITY];
  if (!identity) throw new TopDogError('UNAUTHORIZED', 'a credential is required');
  return identity;
}

/** The projects a request may see and change: what every query and command carries to the services. */
export const scopeOf = (request: FastifyRequest): ProjectScope => identityOf(request).projects;
