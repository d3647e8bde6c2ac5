import { AccessRole, Actor, ProjectScope, TopDogError, type Identity } from '@topdog/contracts';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

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

/**
 * Verifies OIDC access tokens against the issuer's JWKS (fetched and cached by jose, refetched
 * when a token names an unknown key id), and reads the caller's role and projects from claims.
 */
export function createJwtVerifier(settings: JwtSettings) {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl));
  return async function verify(token: string): Promise<Identity> {
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
  };
}
export type JwtVerifier = ReturnType<typeof createJwtVerifier>;
