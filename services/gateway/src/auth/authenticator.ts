import { createHash, timingSafeEqual } from 'node:crypto';
import { ALL_PROJECTS, API_KEY_PREFIX, TopDogError, type Identity } from '@topdog/contracts';
import { parseApiKey, secretMatches } from './api-key-secret';
import type { ApiKeyStore } from './api-key-store';
import type { JwtVerifier } from './jwt-verifier';

export interface AuthenticatorDeps {
  keys: Pick<ApiKeyStore, 'get'>;
  /** The bootstrap admin key from `TOPDOG_ADMIN_KEY`, if set: every project, role admin. */
  adminKey: string | undefined;
  /** Present when `AUTH_JWKS_URL` is set. */
  jwt: JwtVerifier | undefined;
  now?: () => Date;
}

/** The actor of the bootstrap admin key. */
export const BOOTSTRAP_ACTOR = 'key:bootstrap-admin';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const unauthorized = (message: string, reason: string) => new TopDogError('UNAUTHORIZED', message, [{ field: 'Authorization', reason }]);

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Who is calling, from the Authorization header: an API key (`tdk_…`) or, when configured, an
 * OIDC JWT. Every failure is UNAUTHORIZED and says why without echoing the credential.
 */
/** The actor an API key's calls are recorded under. */
export const actorOfKey = (id: string): string => `key:${id}`;

export function createAuthenticator(deps: AuthenticatorDeps) {
  const now = deps.now ?? (() => new Date());
  const adminDigest = deps.adminKey ? digest(deps.adminKey) : undefined;

  async function apiKey(key: string): Promise<Identity> {
    if (adminDigest && timingSafeEqual(digest(key), adminDigest)) return { actor: BOOTSTRAP_ACTOR, role: 'admin', projects: [ALL_PROJECTS], expiresAt: null };
    const parsed = parseApiKey(key);
    if (!parsed) throw unauthorized('unknown API key', 'not a key this deployment issued');
    const record = await deps.keys.get(parsed.id);
    if (!record || !secretMatches(parsed.secret, record.secretHash)) throw unauthorized('unknown API key', 'unknown or revoked key');
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now().getTime()) throw unauthorized('the API key has expired', 'expired key');
    return { actor: actorOfKey(record.id), role: record.role, projects: record.projects, expiresAt: record.expiresAt };
  }

  return async function authenticate(authorization: string | string[] | undefined): Promise<Identity> {
    if (authorization === undefined) throw unauthorized('a credential is required', 'send Authorization: Bearer <API key or token>');
    const match = typeof authorization === 'string' ? BEARER.exec(authorization) : null;
    if (!match) throw unauthorized('malformed Authorization header', 'must be Bearer followed by one API key or token');
    const credential = match[1]!;
    if (credential.startsWith(API_KEY_PREFIX)) return apiKey(credential);
    if (deps.jwt && JWT_SHAPE.test(credential)) return deps.jwt(credential);
    throw unauthorized('unknown credential', deps.jwt ? 'neither an API key nor a JWT' : 'not an API key (JWTs are not configured)');
  };
}
export type Authenticate = ReturnType<typeof createAuthenticator>;
