// Our JetStream event store adapter against Emmett's PostgreSQL event store
// (@event-driven-io/emmett-postgresql) on the same machine, with the same workload: appends of
// one event with the expected-revision check (one at a time, and 32 at once), then whole-stream
// reads. Each store runs on its own private server: nats-server (file storage) and PostgreSQL
// (fsync on, as shipped).
import { randomUUID } from 'node:crypto';
import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { connect } from '@nats-io/transport-node';
import { JetStreamEventStore } from '@topdog/event-store';
import { newTestEvent } from '@topdog/event-store/test-event';
import { startNatsServer } from '@topdog/testing';
import { inParallel } from '../load/measure';
import { atLeast, type Figure } from '../report/figures';
import { startPostgres } from '../support/postgres';

const SECTION = 'Event store: JetStream adapter vs Emmett on PostgreSQL';

/** What both stores are asked to do; `append` builds on the stream's last revision (-1: new). */
interface StoreUnderTest {
  append(stream: string, revision: number, data: Record<string, unknown>): Promise<void>;
  read(stream: string): Promise<number>;
}

export interface EventStoreOptions {
  streams: number;
  appendsPerStream: number;
  reads: number;
  concurrency: number;
  log: (line: string) => void;
}

const payload = (stream: string, n: number) => ({ workflowId: stream, phase: 'IMPLEMENTATION', aiResponse: 'x'.repeat(300), n });

/** Runs `total` jobs with `concurrency` in flight; returns operations per second. */
async function rate(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await inParallel(total, concurrency, job);
  return total / ((performance.now() - t0) / 1000);
}

async function exercise(store: StoreUnderTest, o: EventStoreOptions) {
  const streams = Array.from({ length: o.streams }, () => `bench-${randomUUID().replaceAll('-', '')}`);
  const revisions = new Map<string, number>();
  const appendNext = async (i: number) => {
    // Round-robin over the streams, so that a stream's events lie apart as in production.
    const stream = streams[i % streams.length]!;
    const revision = revisions.get(stream) ?? -1;
    revisions.set(stream, revision + 1); // one writer per stream at a time: i and i + streams are far apart
    await store.append(stream, revision, payload(stream, revision + 1));
  };
  const half = (o.streams * o.appendsPerStream) / 2;
  const sequential = await rate(Math.min(half, 2_000), 1, appendNext);
  const done = Math.min(half, 2_000);
  const concurrent = await rate(o.streams * o.appendsPerStream - done, o.concurrency, (i) => appendNext(i + done));
  const reads = await rate(o.reads, o.concurrency, async (i) => {
    const n = await store.read(streams[i % streams.length]!);
    if (n < 1) throw new Error('read an empty stream');
  });
  return { sequential, concurrent, reads };
}

export async function compareEventStores(o: EventStoreOptions): Promise<Figure[]> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url, noAsyncTraces: true });
  const pg = await startPostgres();
  const emmett = getPostgreSQLEventStore(pg.connectionString);
  try {
    const ours = await JetStreamEventStore.create(nc, { prefix: 'bench' });
    o.log('JetStream adapter');
    const js = await exercise(
      {
        append: async (stream, revision, data) => {
          await ours.appendToStream(`workflow-${stream}`, [newTestEvent('PhaseCompleted', data)], { expectedRevision: revision < 0 ? 'no_stream' : revision });
        },
        read: async (stream) => (await ours.readStream(`workflow-${stream}`)).length,
      },
      o,
    );
    o.log(`  ${JSON.stringify(js)}`);
    o.log('Emmett on PostgreSQL');
    const pgStore: StoreUnderTest = {
      append: async (stream, revision, data) => {
        await emmett.appendToStream(stream, [{ type: 'PhaseCompleted', data }], {
          expectedStreamVersion: revision < 0 ? STREAM_DOES_NOT_EXIST : BigInt(revision + 1),
        });
      },
      read: async (stream) => (await emmett.readStream(stream)).events.length,
    };
    await pgStore.append(`warm-${randomUUID()}`, -1, { warm: true }); // creates the schema
    const pgResult = await exercise(pgStore, o);
    o.log(`  ${JSON.stringify(pgResult)}`);
    const vs = (name: string, value: number) => ({ baseline: { name: `Emmett/PostgreSQL ${name}`, value } });
    return [
      { section: SECTION, name: 'appends/s, one at a time', value: js.sequential, unit: 'appends/s', ...vs('one at a time', pgResult.sequential) },
      {
        section: SECTION,
        name: `appends/s, ${o.concurrency} at once`,
        value: js.concurrent,
        unit: 'appends/s',
        ...vs(`${o.concurrency} at once`, pgResult.concurrent),
        target: atLeast(2 * pgResult.concurrent),
        note: 'target: twice Emmett',
      },
      {
        section: SECTION,
        name: `whole-stream reads/s (${o.appendsPerStream} events), ${o.concurrency} at once`,
        value: js.reads,
        unit: 'reads/s',
        ...vs('reads', pgResult.reads),
      },
    ];
  } finally {
    await emmett.close();
    await pg[Symbol.asyncDispose]();
    await nc.close();
    await nats.dispose();
  }
}
