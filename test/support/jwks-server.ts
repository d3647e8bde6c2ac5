import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

export const TEST_ISSUER = 'https://issuer.topdog.test';
export const TEST_AUDIENCE = 'topdog-api';

/** An identity provider for tests: a JWKS on 127.0.0.1 and tokens signed with its key (or another). */
export interface JwksFixture extends AsyncDisposable {
  jwksUrl: string;
  /** A token signed with the published key; `claims` override the defaults (sub, iss, aud, exp in an hour). */
  sign(claims?: JWTPayload, options?: { expiresIn?: string | number | null; otherKey?: boolean }): Promise<string>;
  /** An unsigned token (`alg: none`) with the same claims. */
  unsigned(claims?: JWTPayload): string;
}

export async function startJwksServer(): Promise<JwksFixture> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    if (req.url !== '/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = (claims: JWTPayload): JWTPayload => ({ iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'alice', ...claims });
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    async sign(claims = {}, options = {}) {
      const jwt = new SignJWT(base(claims)).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).setIssuedAt();
      // expiresIn null: a token with no expiry at all.
      if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '1h');
      return jwt.sign(options.otherKey ? other.privateKey : privateKey);
    },
    unsigned(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...base(claims), iat: now, exp: now + 3600 })}.`;
    },
    async [Symbol.asyncDispose]() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
