// The CPU that authentication adds to every authenticated request (complete-phase and status
// alike: the gateway authenticates before it reads the body or picks the use case). The real
// code the gateway's onRequest hook runs (the authenticator, then the route's role check) is
// called in this process, many times, and process.cpuUsage is divided by the calls:
// - an API key held in the real key store's memory (NATS KV behind it), as in steady state;
//   with a bootstrap admin key configured, as `pnpm start` does, so each key is hashed twice;
// - an RS256 JWT through the real verifier against a JWKS on 127.0.0.1, the key set fetched
//   once and cached by jose: a client's token, sent again and again (its signature checked on
//   first sight, then the identity remembered until it expires), and, for context, tokens each
//   seen for the first time (the signature check itself).
// The gateway's whole CPU per status request (the endpoints section's kernel accounting) is the
// baseline: the ratio is the share of it that authentication is.
import { readdir, readFile } from 'node:fs/promises';
import { connect } from '@nats-io/transport-node';
import { startNatsServer } from '@topdog/testing';
import { roleAllows, roleNeeded } from '../../services/gateway/src/auth/access-policy';
import { generateApiKey } from '../../services/gateway/src/auth/api-key-secret';
import { ApiKeyStore } from '../../services/gateway/src/auth/api-key-store';
import { createAuthenticator, type Authenticate } from '../../services/gateway/src/auth/authenticator';
import { createJwtVerifier } from '../../services/gateway/src/auth/jwt-verifier';
import { TEST_ADMIN_KEY } from '../../test/support/credentials';
import { startJwksServer, TEST_AUDIENCE, TEST_ISSUER } from '../../test/support/jwks-server';
import { below, type Figure } from '../report/figures';

export interface AuthenticationOptions {
  apiKeyCalls: number;
  jwtCalls: number;
  rounds: number;
  /** This run's figures so far: the endpoints section's, when it ran, give the baseline. */
  earlier: readonly Figure[];
  log: (line: string) => void;
}

const SECTION = 'Authentication CPU per request (process.cpuUsage, in-process)';
const STATUS_CPU = 'status: gateway';
/** The key store logs only a watch that failed: nothing to show here. */
const quiet = { warn: () => {}, info: () => {}, error: () => {}, debug: () => {} } as unknown as Parameters<typeof ApiKeyStore.open>[2];

/** What the gateway's onRequest hook does for a request: authenticate, then check the route's role. */
async function hook(authenticate: Authenticate, authorization: string): Promise<void> {
  const identity = await authenticate(authorization);
  if (!roleAllows(identity.role, roleNeeded('POST', '/api/ai-workflows/complete-phase'))) throw new Error('refused');
}

/** CPU µs per call over `calls` sequential calls; the median of `rounds` rounds. */
async function cpuPerCall(calls: number, rounds: number, call: () => Promise<void>): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) await call();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** The gateway's CPU per status request: from this run's endpoints section, else the latest results file that has it. */
async function statusCpu(earlier: readonly Figure[]): Promise<{ value: number; from: string } | undefined> {
  const here = earlier.find((f) => f.name === STATUS_CPU);
  if (here) return { value: here.value, from: 'this run' };
  const dir = new URL('../results/', import.meta.url);
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .reverse();
  for (const file of files) {
    const { figures } = JSON.parse(await readFile(new URL(file, dir), 'utf8')) as { figures: Figure[] };
    const found = figures.find((f) => f.name === STATUS_CPU);
    if (found) return { value: found.value, from: `bench/results/${file}` };
  }
  return undefined;
}

export async function measureAuthentication(o: AuthenticationOptions): Promise<Figure[]> {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const keys = await ApiKeyStore.open(nc, 'bench', quiet);
  await using jwks = await startJwksServer();
  try {
    const generated = generateApiKey();
    await keys.create({
      id: generated.id,
      name: 'bench',
      projects: ['p1'],
      role: 'writer',
      expiresAt: null,
      createdAt: new Date().toISOString(),
      createdBy: 'key:bootstrap-admin',
      secretHash: generated.secretHash,
    });
    const jwt = createJwtVerifier({
      jwksUrl: jwks.jwksUrl,
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      roleClaim: 'topdog_role',
      projectsClaim: 'topdog_projects',
    });
    const authenticate = createAuthenticator({ keys, adminKey: TEST_ADMIN_KEY, jwt });
    const apiKeyHeader = `Bearer ${generated.key}`;
    const jwtHeader = `Bearer ${await jwks.sign({ topdog_role: 'writer', topdog_projects: ['p1'] })}`;

    // Warm-up: the JWKS fetched and cached, the code optimised.
    for (let i = 0; i < 2_000; i++) await hook(authenticate, apiKeyHeader);
    for (let i = 0; i < 500; i++) await hook(authenticate, jwtHeader);

    o.log(`  API key: ${o.rounds} rounds of ${o.apiKeyCalls} calls`);
    const apiKey = await cpuPerCall(o.apiKeyCalls, o.rounds, () => hook(authenticate, apiKeyHeader));
    o.log(`  JWT (RS256): ${o.rounds} rounds of ${o.jwtCalls} calls`);
    const token = await cpuPerCall(o.jwtCalls, o.rounds, () => hook(authenticate, jwtHeader));
    const firstSight = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => jwks.sign({ topdog_role: 'writer', topdog_projects: ['p1'], sub: `user-${i}` })),
    );
    o.log(`  JWT (RS256), each token seen once: ${firstSight.length} calls`);
    let next = 0;
    const unseen = await cpuPerCall(firstSight.length, 1, () => hook(authenticate, `Bearer ${firstSight[next++]!}`));

    const status = await statusCpu(o.earlier);
    const baseline = status ? { baseline: { name: `gateway CPU per status request (${status.from})`, value: status.value } } : {};
    const figures: Figure[] = [
      { section: SECTION, name: 'API key (in memory) per request', value: apiKey, unit: 'µs', ...baseline, target: below(50) },
      { section: SECTION, name: "JWT RS256 per request (a client's token, verified once)", value: token, unit: 'µs', ...baseline, target: below(50) },
      { section: SECTION, name: 'JWT RS256, a token seen for the first time (its signature checked)', value: unseen, unit: 'µs', ...baseline },
    ];
    if (status)
      figures.push({
        section: SECTION,
        name: 'gateway CPU per status request, all of it',
        value: status.value,
        unit: 'µs',
        note: `endpoints section, ${status.from}`,
      });
    return figures;
  } finally {
    await keys.close();
    await nc.close();
  }
}
