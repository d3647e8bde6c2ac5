import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { eventStreamName, eventSubject, workflowStreamId } from '@topdog/contracts';
import { startNatsServer } from '@topdog/testing';
import { describe, expect, it } from 'vitest';
import { eventStoreContract } from '../event-store.contract';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../event-store';
import { newTestEvent } from '../test-event';
import { EARLIER_SEQUENCES_HEADER, EARLIER_SEQUENCES_MAX, encodeCommit, LAST_REVISION_HEADER, PREVIOUS_SEQUENCE_HEADER } from './commit-codec';
import { JetStreamEventStore } from './jetstream.event-store';

eventStoreContract(
  'JetStream (nats-server)',
  async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    const store = await JetStreamEventStore.create(nc, { prefix: 'contract' });
    return {
      store,
      appendLimitBytes: nc.info?.max_payload ?? 1024 * 1024,
      async dispose() {
        await store.close();
        await nc.close();
        await server.dispose();
      },
    };
  },
  { snapshots: true },
);

describe('JetStream event store specifics', () => {
  it('connects a reader once the writer has created the stream; the reader bus user reads and follows it', async () => {
    await using server = await startNatsServer({ auth: { prefix: 'late' } });
    const [writerNc, readerNc] = await Promise.all([server.connectAs('orchestrator'), server.connectAs('reader')]);
    try {
      const waits: Error[] = [];
      const connecting = JetStreamEventStore.connect(readerNc, { prefix: 'late' }, (err) => waits.push(err));
      await new Promise((r) => setTimeout(r, 300));
      expect(waits).toHaveLength(1);
      const writer = await JetStreamEventStore.create(writerNc, { prefix: 'late' });
      const { position } = await writer.appendToStream('late-1', [newTestEvent('First'), newTestEvent('Second')], { expectedRevision: 'no_stream' });
      const reader = await connecting;
      expect((await reader.readStream('late-1')).map((e) => e.type)).toEqual(['First', 'Second']);
      expect(await reader.headPosition()).toBe(position);
      const followed: string[] = [];
      for await (const event of reader.subscribeToAll({ fromPosition: 0 })) {
        followed.push(event.type);
        if (followed.length === 2) break;
      }
      expect(followed).toEqual(['First', 'Second']);
      // The reader may neither append nor change the stream.
      await expect(reader.appendToStream('late-2', [newTestEvent('X')], { expectedRevision: 'no_stream' })).rejects.toThrow();
      expect(await writer.readStream('late-2')).toEqual([]);
      await expect(JetStreamEventStore.create(readerNc, { prefix: 'late' })).rejects.toThrow(/Permissions Violation/);
    } finally {
      await writerNc.close();
      await readerNc.close();
    }
  });

  it("stores a stream's commits on the subject the contracts name for it (what a tool reading the stream looks up)", async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: 'named' });
      const id = randomUUID();
      await store.appendToStream(workflowStreamId(id), [newTestEvent('First')], { expectedRevision: 'no_stream' });
      const jsm = await jetstreamManager(nc);
      const last = await jsm.streams.getMessage(eventStreamName('named'), { last_by_subj: eventSubject('named', workflowStreamId(id)) });
      expect(last?.subject).toBe(`named.events.workflow.${id}`);
    } finally {
      await nc.close();
    }
  });

  it('reports the bus failing as EventStoreUnavailableError, not as an untyped error', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    const store = await JetStreamEventStore.create(nc, { prefix: 'gone' });
    await store.appendToStream('gone-1', [newTestEvent('First')], { expectedRevision: 'no_stream' });
    await nc.close();
    await expect(store.appendToStream('gone-1', [newTestEvent('Second')], { expectedRevision: 0 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.readStream('gone-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  it('keeps a multi-event append in one message and refuses one over the size limit', async () => {
    await using server = await startNatsServer({ maxPayload: 64 * 1024 });
    const nc = await connect({ servers: server.url });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: 'big' });
      const event = (size: number) => newTestEvent('Big', { text: 'x'.repeat(size) });
      await expect(store.appendToStream('big-1', [event(10), event(70 * 1024)], { expectedRevision: 'no_stream' })).rejects.toThrow(/over the .*message limit/);
      expect(await store.readStream('big-1')).toEqual([]);
      await store.appendToStream('big-1', [event(10), event(10)], { expectedRevision: 'no_stream' });
      expect(await store.readStream('big-1')).toHaveLength(2);
    } finally {
      await nc.close();
    }
  });

  it('detects a stale writer whose cached tip is behind another instance', async () => {
    await using server = await startNatsServer();
    const nc1 = await connect({ servers: server.url });
    const nc2 = await connect({ servers: server.url });
    try {
      const a = await JetStreamEventStore.create(nc1, { prefix: 'two' });
      const b = await JetStreamEventStore.create(nc2, { prefix: 'two' });
      const e = () => newTestEvent('E');
      await a.appendToStream('wf-1', [e()], { expectedRevision: 'no_stream' });
      await b.readStream('wf-1');
      await a.appendToStream('wf-1', [e()], { expectedRevision: 0 });
      await expect(b.appendToStream('wf-1', [e()], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await b.appendToStream('wf-1', [e()], { expectedRevision: 1 });
      expect((await a.readStream('wf-1')).map((x) => x.revision)).toEqual([0, 1, 2]);
    } finally {
      await nc1.close();
      await nc2.close();
    }
  });

  it('reads a stream along its commit links with one direct get per commit, wherever they lie', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: 'links' });
      // Five streams' commits interleaved, two events in every third commit.
      for (let commit = 0, revision = -1; commit < 6; commit++) {
        const events = commit % 3 === 0 ? [newTestEvent('A'), newTestEvent('B')] : [newTestEvent('A')];
        for (let s = 0; s < 5; s++)
          await store.appendToStream(
            `wf-${s}`,
            events.map((e) => ({ ...e, id: `${e.id}-${s}` })),
            { expectedRevision: revision < 0 ? 'no_stream' : revision },
          );
        revision += events.length;
      }
      const jsm = await jetstreamManager(nc);
      const gets: unknown[] = [];
      const getMessage = jsm.direct.getMessage.bind(jsm.direct);
      const reader = await JetStreamEventStore.create(nc, { prefix: 'links' });
      (reader as unknown as { jsm: typeof jsm }).jsm.direct.getMessage = (stream, query) => (gets.push(query), getMessage(stream, query));
      const all = await reader.readStream('wf-3');
      expect(all.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(all.every((e) => e.streamId === 'wf-3')).toBe(true);
      expect(gets).toHaveLength(6); // the tip, then five links: no subject search
      expect(gets.slice(1).every((q) => typeof q === 'object' && q !== null && 'seq' in q && !('next_by_subj' in q))).toBe(true);
      expect((await reader.readStream('wf-3', { fromRevision: 5 })).map((e) => e.revision)).toEqual([5, 6, 7]);
      expect((await reader.readStream('wf-3', { fromRevision: 1, maxCount: 2 })).map((e) => e.revision)).toEqual([1, 2]);
    } finally {
      await nc.close();
    }
  });

  it('gets the earlier commits a commit lists all at once, and only those a read from a revision needs', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: 'listed' });
      const commits = EARLIER_SEQUENCES_MAX + 6;
      for (let revision = 0; revision < commits; revision++) {
        await store.appendToStream('wf-1', [newTestEvent('A')], { expectedRevision: revision === 0 ? 'no_stream' : revision - 1 });
        await store.appendToStream('wf-2', [newTestEvent('B')], { expectedRevision: revision === 0 ? 'no_stream' : revision - 1 });
      }
      const jsm = await jetstreamManager(nc);
      const reader = await JetStreamEventStore.create(nc, { prefix: 'listed' });
      const getMessage = jsm.direct.getMessage.bind(jsm.direct);
      let gets = 0;
      let inFlight = 0;
      let mostInFlight = 0;
      (reader as unknown as { jsm: typeof jsm }).jsm.direct.getMessage = async (stream, query) => {
        gets++;
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        try {
          return await getMessage(stream, query);
        } finally {
          inFlight--;
        }
      };
      const all = await reader.readStream('wf-1');
      expect(all.map((e) => e.revision)).toEqual(Array.from({ length: commits }, (_, i) => i));
      expect(all.every((e) => e.type === 'A')).toBe(true);
      // The tip, the 64 it lists at once, then the 5 the oldest of those lists: one get per commit.
      expect(gets).toBe(commits);
      expect(mostInFlight).toBe(EARLIER_SEQUENCES_MAX);

      gets = 0;
      const tail = await reader.readStream('wf-1', { fromRevision: commits - 4 });
      expect(tail.map((e) => e.revision)).toEqual([commits - 4, commits - 3, commits - 2, commits - 1]);
      expect(gets).toBe(4); // the tip and the three before it, no more

      // Another writer, which knows the stream only from its tip, lists the last 64 as well.
      const before = await jsm.direct.getMessage('LISTED_WORKFLOW_EVENTS', { last_by_subj: 'listed.events.wf.1' });
      const other = await JetStreamEventStore.create(nc, { prefix: 'listed' });
      await other.appendToStream('wf-1', [newTestEvent('A')], { expectedRevision: commits - 1 });
      const after = await jsm.direct.getMessage('LISTED_WORKFLOW_EVENTS', { last_by_subj: 'listed.events.wf.1' });
      const listed = after!.header.get(EARLIER_SEQUENCES_HEADER).split(',').map(Number);
      expect(listed).toHaveLength(EARLIER_SEQUENCES_MAX);
      expect(listed.at(-1)).toBe(before!.seq);
      expect(listed.slice(0, -1)).toEqual(before!.header.get(EARLIER_SEQUENCES_HEADER).split(',').map(Number).slice(1));
    } finally {
      await nc.close();
    }
  });

  it("appends on a snapshot's tip as the orchestrator bus user: the commit it writes links and lists the earlier ones", async () => {
    await using server = await startNatsServer({ auth: { prefix: 'snap' } });
    const nc = await server.connectAs('orchestrator');
    try {
      const writer = await JetStreamEventStore.create(nc, { prefix: 'snap' });
      for (let revision = 0; revision < 3; revision++) {
        await writer.appendToStream('wf-1', [newTestEvent(`E${revision}`)], { expectedRevision: revision - 1 < 0 ? 'no_stream' : revision - 1 });
      }
      expect(await writer.saveSnapshot('wf-1', { revision: 2, data: new TextEncoder().encode('{"n":3}') })).toBe(true);
      const jsm = await jetstreamManager(nc);
      const tip = await jsm.direct.getMessage('SNAP_WORKFLOW_EVENTS', { last_by_subj: 'snap.events.wf.1' });
      // A writer opened afresh (an orchestrator restarted) knows nothing of the stream but its snapshot.
      const fresh = await JetStreamEventStore.create(nc, { prefix: 'snap' });
      let snapshot = await fresh.readSnapshot('wf-1');
      for (let i = 0; i < 100 && !snapshot; i++) {
        await new Promise((r) => setTimeout(r, 10));
        snapshot = await fresh.readSnapshot('wf-1');
      }
      expect(snapshot).toMatchObject({ revision: 2 });
      expect(new TextDecoder().decode(snapshot!.data)).toBe('{"n":3}');
      // Appended next, linked to the tip and listing the earlier commits as one that read the stream would.
      const before = (await jsm.streams.info('SNAP_WORKFLOW_EVENTS')).state.last_seq;
      await fresh.appendToStream('wf-1', [newTestEvent('E3')], { expectedRevision: 2 });
      const appended = await jsm.direct.getMessage('SNAP_WORKFLOW_EVENTS', { last_by_subj: 'snap.events.wf.1' });
      expect(appended!.seq).toBe(before + 1);
      expect(appended!.header.get(PREVIOUS_SEQUENCE_HEADER)).toBe(String(tip!.seq));
      expect(appended!.header.get(EARLIER_SEQUENCES_HEADER)).toBe(tip!.header.get(EARLIER_SEQUENCES_HEADER) + `,${tip!.seq}`);
      expect((await fresh.readStream('wf-1')).map((e) => e.type)).toEqual(['E0', 'E1', 'E2', 'E3']);
      // The snapshots' stream is the orchestrator's alone.
      const reader = await server.connectAs('reader');
      try {
        const readerJsm = await jetstreamManager(reader);
        await expect(readerJsm.direct.getMessage('SNAP_WORKFLOW_SNAPSHOTS', { last_by_subj: 'snap.snapshots.wf.1' })).rejects.toThrow();
      } finally {
        await reader.close();
      }
    } finally {
      await nc.close();
    }
  });

  it('writes the snapshot of a stream whose tip it has let go of, reading the tip again; not of one that moved on', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      // A tip cache of one: each stream written to makes it forget the one before.
      const writer = await JetStreamEventStore.create(nc, { prefix: 'forgot', tipCacheSize: 1 });
      const other = await JetStreamEventStore.create(nc, { prefix: 'forgot' });
      await writer.appendToStream('wf-1', [newTestEvent('A0')], { expectedRevision: 'no_stream' });
      await writer.appendToStream('wf-1', [newTestEvent('A1')], { expectedRevision: 0 });
      await writer.appendToStream('wf-2', [newTestEvent('B0')], { expectedRevision: 'no_stream' });
      await writer.appendToStream('wf-3', [newTestEvent('C0')], { expectedRevision: 'no_stream' });
      await other.appendToStream('wf-3', [newTestEvent('C1')], { expectedRevision: 0 });
      await writer.appendToStream('wf-2', [newTestEvent('B1')], { expectedRevision: 0 });

      expect(await writer.saveSnapshot('wf-1', { revision: 1, data: new TextEncoder().encode('{"n":2}') })).toBe(true);
      await expect.poll(async () => (await other.readSnapshot('wf-1'))?.revision).toBe(1);
      // wf-3 moved on (another writer) since this one's state of it: nothing is written.
      expect(await writer.saveSnapshot('wf-3', { revision: 0, data: new TextEncoder().encode('{}') })).toBe(false);
      expect(await writer.saveSnapshot('wf-9', { revision: 0, data: new TextEncoder().encode('{}') })).toBe(false);
    } finally {
      await nc.close();
    }
  });

  it('gives no snapshot where the stream does not hold its revision where it says (the stream recreated since)', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const writer = await JetStreamEventStore.create(nc, { prefix: 'again' });
      for (let revision = 0; revision < 3; revision++) {
        await writer.appendToStream('wf-1', [newTestEvent(`E${revision}`)], { expectedRevision: revision - 1 < 0 ? 'no_stream' : revision - 1 });
      }
      await writer.saveSnapshot('wf-1', { revision: 2, data: new TextEncoder().encode('{}') });
      await expect.poll(async () => (await writer.readSnapshot('wf-1'))?.revision).toBe(2);
      await (await jetstreamManager(nc)).streams.delete('AGAIN_WORKFLOW_EVENTS');
      const fresh = await JetStreamEventStore.create(nc, { prefix: 'again' });
      expect(await fresh.readSnapshot('wf-1')).toBeUndefined();
      await fresh.appendToStream('wf-1', [newTestEvent('N0')], { expectedRevision: 'no_stream' });
      await fresh.appendToStream('wf-1', [newTestEvent('N1')], { expectedRevision: 0 });
      await fresh.appendToStream('wf-2', [newTestEvent('X')], { expectedRevision: 'no_stream' });
      await fresh.appendToStream('wf-1', [newTestEvent('N2')], { expectedRevision: 1 });
      // Revision 2 is stored again, but in another commit than the snapshot names. (Where a
      // recreated stream put it in the same one, the orchestrator's check of the event's hash refuses it.)
      expect(await fresh.readSnapshot('wf-1')).toBeUndefined();
    } finally {
      await nc.close();
    }
  });

  it("follows the links one by one where a list names commits that are not the stream's, in order", async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: 'bad' });
      const js = jetstream(nc);
      const commit = async (subject: string, streamId: string, revision: number, previous: number, earlier?: string) => {
        const h = headers();
        h.set(LAST_REVISION_HEADER, String(revision));
        h.set(PREVIOUS_SEQUENCE_HEADER, String(previous));
        if (earlier) h.set(EARLIER_SEQUENCES_HEADER, earlier);
        return (await js.publish(subject, encodeCommit(streamId, revision, [newTestEvent(streamId)]), { headers: h })).seq;
      };
      const first = await commit('bad.events.wf.1', 'wf-1', 0, 0);
      const foreign = await commit('bad.events.wf.2', 'wf-2', 0, 0);
      const second = await commit('bad.events.wf.1', 'wf-1', 1, first, `${first}`);
      // The list ends with the right previous commit but names another stream's before it.
      await commit('bad.events.wf.1', 'wf-1', 2, second, `${foreign},${second}`);
      expect((await store.readStream('wf-1')).map((e) => `${e.revision}:${e.type}`)).toEqual(['0:wf-1', '1:wf-1', '2:wf-1']);
    } finally {
      await nc.close();
    }
  });

  it('still reads commits written before the links existed', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: 'old' });
      const js = jetstream(nc);
      for (let revision = 0; revision < 3; revision++) {
        const h = headers();
        h.set(LAST_REVISION_HEADER, String(revision));
        await js.publish('old.events.wf.1', encodeCommit('wf-1', revision, [newTestEvent('Old')]), { headers: h });
      }
      await store.appendToStream('wf-1', [newTestEvent('New')], { expectedRevision: 2 });
      expect((await store.readStream('wf-1')).map((e) => `${e.revision}:${e.type}`)).toEqual(['0:Old', '1:Old', '2:Old', '3:New']);
      // Read back to its first commit, the stream's commits are known: the next append lists them.
      await store.appendToStream('wf-1', [newTestEvent('Newer')], { expectedRevision: 3 });
      const tip = await (await jetstreamManager(nc)).direct.getMessage('OLD_WORKFLOW_EVENTS', { last_by_subj: 'old.events.wf.1' });
      expect(tip?.header.get(EARLIER_SEQUENCES_HEADER)).toBe('1,2,3,4');
      expect((await store.readStream('wf-1')).map((e) => e.type)).toEqual(['Old', 'Old', 'Old', 'New', 'Newer']);
    } finally {
      await nc.close();
    }
  });
});
