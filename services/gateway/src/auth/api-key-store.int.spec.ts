import { connect } from '@nats-io/transport-node';
import type { StoredApiKey } from '@topdog/contracts';
import { startNatsServer } from '@topdog/testing';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from './api-key-secret';
import { ApiKeyStore } from './api-key-store';

const record = (): StoredApiKey => {
  const { id, secretHash } = generateApiKey();
  return { id, name: 'k', projects: ['p'], role: 'reader', expiresAt: null, createdAt: new Date().toISOString(), createdBy: 'key:test', secretHash };
};

/** Two gateway instances' key stores on one real nats-server: what one does, the other sees. */
describe('API key store over NATS KV', () => {
  it('a key made on one instance works on another at once, and a revocation reaches the other by the watch', async () => {
    await using nats = await startNatsServer();
    const [nc1, nc2] = [await connect({ servers: nats.url }), await connect({ servers: nats.url })];
    const logger = pino({ level: 'silent' });
    const one = await ApiKeyStore.open(nc1, 'keys', logger);
    // The second instance never reads KV again on its own within the test: only the watch can tell it.
    const two = await ApiKeyStore.open(nc2, 'keys', logger, { now: () => 0 });
    try {
      const key = record();
      await one.create(key);
      expect(await two.get(key.id)).toEqual(key); // not in its memory: read from KV
      expect((await one.list()).map((k) => k.id)).toEqual([key.id]);
      expect(await one.revoke(key.id)).toBe(true);
      expect(await one.get(key.id)).toBeUndefined();
      const deadline = Date.now() + 2_000;
      while ((await two.get(key.id)) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(await two.get(key.id)).toBeUndefined();
      expect(Date.now()).toBeLessThan(deadline);
      expect(await one.revoke(key.id)).toBe(false);
    } finally {
      await one.close();
      await two.close();
      await nc1.close();
      await nc2.close();
    }
  });
});
