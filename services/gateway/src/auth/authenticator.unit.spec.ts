import type { StoredApiKey } from '@topdog/contracts';
import { describe, expect, it } from 'vitest';
import { roleAllows, roleNeeded, isPublicRoute } from './access-policy';
import { generateApiKey, parseApiKey, secretMatches } from './api-key-secret';
import { BOOTSTRAP_ACTOR, createAuthenticator } from './authenticator';

const ADMIN_KEY = `tdk_${'a'.repeat(43)}`;
const NOW = new Date('2026-01-01T00:00:00Z');

function withKey(overrides: Partial<StoredApiKey> = {}) {
  const generated = generateApiKey();
  const record: StoredApiKey = {
    id: generated.id,
    name: 'k',
    projects: ['p1'],
    role: 'writer',
    expiresAt: null,
    createdAt: NOW.toISOString(),
    createdBy: BOOTSTRAP_ACTOR,
    secretHash: generated.secretHash,
    ...overrides,
  };
  const authenticate = createAuthenticator({
    keys: { get: async (id) => (id === record.id ? record : undefined) },
    adminKey: ADMIN_KEY,
    jwt: undefined,
    now: () => NOW,
  });
  return { key: generated.key, record, authenticate };
}

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (err: { code?: string }) => err.code,
  );

describe('authenticator', () => {
  it('turns a stored key into its identity: actor key:<id>, its role and projects', async () => {
    const { key, record, authenticate } = withKey();
    await expect(authenticate(`Bearer ${key}`)).resolves.toEqual({ actor: `key:${record.id}`, role: 'writer', projects: ['p1'], expiresAt: null });
  });

  it('takes the bootstrap admin key for every project', async () => {
    const { authenticate } = withKey();
    await expect(authenticate(`Bearer ${ADMIN_KEY}`)).resolves.toEqual({ actor: BOOTSTRAP_ACTOR, role: 'admin', projects: ['*'], expiresAt: null });
  });

  it('refuses a missing or malformed header, an unknown, wrong or expired key, and a JWT when none is configured', async () => {
    const { key, authenticate } = withKey();
    const expired = withKey({ expiresAt: new Date(NOW.getTime() - 1).toISOString() });
    const wrongSecret = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const header of [undefined, '', 'Bearer', `bearer ${key}`, `Basic ${key}`, `Bearer ${key} extra`, `Bearer  ${key}`, ['Bearer a', 'Bearer b']]) {
      expect(await code(authenticate(header)), String(header)).toBe('UNAUTHORIZED');
    }
    expect(await code(authenticate(`Bearer tdk_000000000000_${'x'.repeat(43)}`))).toBe('UNAUTHORIZED');
    expect(await code(authenticate(`Bearer ${wrongSecret}`))).toBe('UNAUTHORIZED');
    expect(await code(expired.authenticate(`Bearer ${expired.key}`))).toBe('UNAUTHORIZED');
    expect(await code(authenticate('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'))).toBe('UNAUTHORIZED');
  });

  it('never puts the credential in the error', async () => {
    const { key, authenticate } = withKey();
    const err = await authenticate(`Bearer ${key}x`).catch((e: unknown) => e);
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain(key);
  });
});

describe('API key secrets', () => {
  it('are tdk_<id>_<secret>, stored as a hash that matches only the secret', () => {
    const { key, id, secretHash } = generateApiKey();
    const parsed = parseApiKey(key)!;
    expect(parsed.id).toBe(id);
    expect(secretHash).not.toContain(parsed.secret);
    expect(secretMatches(parsed.secret, secretHash)).toBe(true);
    expect(secretMatches(`${parsed.secret.slice(1)}x`, secretHash)).toBe(false);
  });
});

describe('access policy', () => {
  it('needs admin for administration, writer for commands, reader for the rest; the docs and probes are public', () => {
    expect(roleNeeded('GET', '/api/admin/keys')).toBe('admin');
    expect(roleNeeded('POST', '/api/admin/read-models/rebuild')).toBe('admin');
    expect(roleNeeded('POST', '/api/ai-workflows/initialize')).toBe('writer');
    expect(roleNeeded('POST', '/api/ai-workflows/:workflow_id/run-phase')).toBe('writer');
    for (const command of ['approve', 'reject', 'send-back', 'cancel']) expect(roleNeeded('POST', `/api/ai-workflows/:workflow_id/${command}`)).toBe('writer');
    expect(roleNeeded('POST', '/api/ai-workflows/get-ai-prompt/:workflow_id')).toBe('reader');
    expect(roleNeeded('GET', '/api/events')).toBe('reader');
    expect(roleNeeded('GET', undefined)).toBe('reader');
    // Any method that is not a read needs writer, on any route, until a route says otherwise.
    expect(['PUT', 'PATCH', 'DELETE'].map((m) => roleNeeded(m, '/api/ai-workflows/:workflow_id'))).toEqual(['writer', 'writer', 'writer']);
    expect(roleNeeded('POST', '/api/llm/models')).toBe('writer');
    expect(roleAllows('admin', 'writer') && roleAllows('writer', 'reader') && !roleAllows('reader', 'writer') && !roleAllows('writer', 'admin')).toBe(true);
    expect([isPublicRoute('/healthz'), isPublicRoute('/readyz'), isPublicRoute('/docs'), isPublicRoute('/docs/*')]).toEqual([true, true, true, true]);
    expect([isPublicRoute('/docsx'), isPublicRoute('/docs/json'), isPublicRoute(undefined), isPublicRoute('/api/events')]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    // The dashboard's page and files: the page signs in itself, with the API.
    expect(['/', '/index.html', '/favicon.svg', '/assets/*'].map(isPublicRoute)).toEqual([true, true, true, true]);
    expect(['/api', '/assets', '/index.htm'].map(isPublicRoute)).toEqual([false, false, false]);
  });
});
