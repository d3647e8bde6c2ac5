import { AccessRole, Actor, ProjectScope, TopDogError, type Identity } from '@topdog/contracts';
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';

export interface JwtSettings {
  jwksUrl: string;
  issuer: string;
  audience: string;
  projectsClaim: string;
  roleClaim: string;
}

/** Asymmetric algorithms only: never `none`, never an HMAC a public JWKS could be confused with. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const unauthorized = (reason: string) => new TopDogError('UNAUTHORIZED', 'the bearer token is not valid', [{ field: 'Authorization', reason }]);

/** Reads the projects claim: an array of project names, or one string of names separated by spaces. */
function projectsOf(payload: JWTPayload, claim: string): ProjectScope | undefined {
  const value = payload[claim];
  const list = typeof value === 'string' ? value.split(' ').filter(Boolean) : value;
  const parsed = ProjectScope.safeParse(list);
  return parsed.success ? parsed.data : undefined;
}

/** Tokens verified recently, by the SHA-256 of the whole token: a client sends the same one many times. */
const VERIFIED_TOKENS = 10_000;

/**
 * Verifies OIDC access tokens against the issuer's JWKS (fetched and cached by jose, refetched
 * when a token names an unknown key id), and reads the caller's role and projects from claims.
 * A token's signature is checked once: a token is immutable, so the identity it gave is kept
 * (by the hash of the whole token) until the token expires; an RS256 check costs about 85 µs
 * of CPU, a hash and a lookup about 3.
 */
export function createJwtVerifier(settings: JwtSettings) {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl));
  // Bounded by count through maxSize: with `max`, lru-cache would allocate room for every entry up front.
  const verified = new LRUCache<string, Identity>({ maxSize: VERIFIED_TOKENS, sizeCalculation: () => 1 });
  return async function verifyOnce(token: string): Promise<Identity> {
    const digest = createHash('sha256').update(token).digest('base64url');
    const known = verified.get(digest);
    if (known && Date.parse(known.expiresAt!) > Date.now()) return known;
    const identity = await verify(token);
    verified.set(digest, identity);
    return identity;
  };

  async function verify(token: string): Promise<Identity> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ALGORITHMS,
        // A token without an expiry would never expire: refused.
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw unauthorized('the token has expired');
      if (err instanceof errors.JWKSTimeout) {
        throw new TopDogError('UNAVAILABLE', 'the identity provider did not answer in time', [], { cause: err });
      }
      throw unauthorized('the token failed verification (signature, algorithm, issuer, audience or time)');
    }
    if (!payload.sub) throw unauthorized('the token has no subject');
    const role = AccessRole.safeParse(payload[settings.roleClaim]);
    const projects = projectsOf(payload, settings.projectsClaim);
    if (!role.success || !projects) {
      throw new TopDogError('FORBIDDEN', 'the token grants no role or no projects', [
        { field: role.success ? settings.projectsClaim : settings.roleClaim, reason: 'missing or not valid in the token' },
      ]);
    }
    const actor = `jwt:${settings.issuer}#${payload.sub}`;
    // The actor is recorded in every event the caller causes, within the events' own limit.
    if (!Actor.safeParse(actor).success) throw unauthorized('the token names a subject too long to record');
    // jwtVerify required `exp`.
    return { actor, role: role.data, projects, expiresAt: new Date(payload.exp! * 1000).toISOString() };
  }
}
export type JwtVerifier = ReturnType<typeof createJwtVerifier>;
