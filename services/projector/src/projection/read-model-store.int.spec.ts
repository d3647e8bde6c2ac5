import { randomUUID } from 'node:crypto';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PHASES, readModelBucket, WorkflowStatus } from '@topdog/contracts';
import { startNatsServer, type NatsServerFixture } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadModelStore, type StatusRead } from './read-model-store';

/** A workflow's status after `revision` events (one phase completed per revision). */
const statusAt = (workflowId: string, revision: number): WorkflowStatus =>
  WorkflowStatus.parse({
    workflowId,
    projectId: 'p',
    currentState: PHASES[revision]!,
    progress: revision / PHASES.length,
    completedPhases: PHASES.slice(0, revision),
    nextRole: null,
    isComplete: false,
    model: 'offline',
    revision,
    position: revision * 1000,
    createdAt: '2026-12-05T00:00:00.000Z',
    updatedAt: '2026-12-05T00:00:00.000Z',
  });

describe('ReadModelStore on a nats-server', () => {
  let server: NatsServerFixture;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.[Symbol.asyncDispose]();
  });

  /** Two projector instances' stores on one bucket, as with two instances of the projector. */
  describe('shared by two instances', () => {
    it("never takes a workflow's status back: an instance behind keeps the newer status another instance stored", async () => {
      const prefix = `rm${randomUUID().slice(0, 8)}`;
      const [ahead, behind] = await Promise.all([ReadModelStore.open(nc, { prefix }), ReadModelStore.open(nc, { prefix })]);
      const id = randomUUID();
      ahead.setStatus(statusAt(id, 2));
      await ahead.flush(2_000);
      expect((await behind.getStatus(id))?.revision).toBe(2); // `behind` now holds revision 2 in memory

      ahead.setStatus(statusAt(id, 5));
      await ahead.flush(5_000);
      // `behind` applies revision 3 on what it holds, and stores it: the bucket keeps revision 5.
      behind.setStatus(statusAt(id, 3));
      await behind.flush(3_000);

      const fresh = await ReadModelStore.open(nc, { prefix });
      expect((await fresh.getStatus(id))?.revision).toBe(5);
      // And `behind` now answers with what is stored, so its next events are judged against it.
      expect((await behind.getStatus(id))?.revision).toBe(5);
    });

    it('writes a newer status over an older one another instance stored, whatever it held', async () => {
      const prefix = `rm${randomUUID().slice(0, 8)}`;
      const [a, b] = await Promise.all([ReadModelStore.open(nc, { prefix }), ReadModelStore.open(nc, { prefix })]);
      const id = randomUUID();
      a.setStatus(statusAt(id, 1));
      await a.flush(1_000);
      // `b` never read the key: its write is a create, refused, then checked and made over revision 1.
      b.setStatus(statusAt(id, 4));
      await b.flush(4_000);
      a.setStatus(statusAt(id, 2)); // `a` is behind now: its write must not land
      await a.flush(2_000);
      b.setStatus(statusAt(id, 5)); // `b` is ahead: its write lands
      await b.flush(5_000);

      expect((await (await ReadModelStore.open(nc, { prefix })).getStatus(id))?.revision).toBe(5);
    });
  });

  describe('warm-ups', () => {
    /** A bucket holding one stored status, and a store on it that holds nothing yet, counting its reads. */
    const storedElsewhere = async (revision = 2) => {
      const prefix = `rm${randomUUID().slice(0, 8)}`;
      const writer = await ReadModelStore.open(nc, { prefix });
      const id = randomUUID();
      writer.setStatus(statusAt(id, revision));
      await writer.flush(revision * 1000);
      const reads: StatusRead[] = [];
      const store = await ReadModelStore.open(nc, { prefix, countRead: (reason) => reads.push(reason) });
      const bucket = await new Kvm(nc).open(readModelBucket(prefix));
      return { id, store, reads, bucket };
    };

    it('reads a status into memory ahead of the command, once: later reads of it need no KV', async () => {
      const { id, store, reads, bucket } = await storedElsewhere();
      await store.warm(id);
      await bucket.delete(`status.${id}`); // from here on, only memory has it
      expect((await store.getStatus(id))?.revision).toBe(2);
      await store.warm(id);
      expect(reads).toEqual(['warm-up']);
    });

    it('shares a read under way: a status needed while its warm-up reads it is read once', async () => {
      const { id, store, reads } = await storedElsewhere();
      const [, status] = await Promise.all([store.warm(id), store.getStatus(id)]);
      expect(status?.revision).toBe(2);
      expect(reads).toEqual(['warm-up']);
    });

    it('leaves a status changed since the last flush alone', async () => {
      const { id, store, reads } = await storedElsewhere();
      store.setStatus(statusAt(id, 3));
      await store.warm(id);
      expect((await store.getStatus(id))?.revision).toBe(3);
      expect(reads).toEqual([]);
    });

    it('does not fill a cache a reset emptied while the warm-up read', async () => {
      const { id, store } = await storedElsewhere();
      const warming = store.warm(id);
      await store.reset();
      await warming;
      expect(await store.getStatus(id)).toBeUndefined();
    });

    it('does not keep what a warm-up begun during a reset read before the purge', async () => {
      const { id, store } = await storedElsewhere();
      const resetting = store.reset();
      await store.warm(id); // read before the purge reaches the bucket
      await resetting;
      expect(await store.getStatus(id)).toBeUndefined();
    });
  });
});
