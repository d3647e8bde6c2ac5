import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { cpuSeconds } from './process-cpu';

const ITERATIONS = 20_000;
const PUTS = 20_480;
const PUTS_IN_FLIGHT = 32;
/** Statuses the puts replace, as the projector replaces a workflow's status at each change. */
const KEYS = 2_048;
if ([PUTS, KEYS].some((n) => n % PUTS_IN_FLIGHT !== 0)) throw new Error('the puts and keys must divide among the writers in flight');

/** CPU µs per call of `work`, after a warm-up (this process's user and system time). */
export function cpuPerCall(work: () => unknown): number {
  for (let i = 0; i < 2_000; i++) work();
  const start = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ITERATIONS;
}

/**
 * CPU µs per write of `json` over a status already stored, the writer's (this process) and
 * nats-server's, as the projector writes one (a stored put on the key's subject, checked against
 * the key's last sequence, its ack awaited; the stream keeps one message per key, as a KV bucket
 * does).
 */
export async function putCost(nc: NatsConnection, natsPid: number, json: string): Promise<{ writer: number; 'nats-server': number }> {
  const jsm = await jetstreamManager(nc);
  const stream = 'KV_bench_guarantees';
  await jsm.streams.add({ name: stream, subjects: ['$KV.bench_guarantees.>'], max_msgs_per_subject: 1, allow_direct: true });
  try {
    const js = jetstream(nc);
    const data = new TextEncoder().encode(json);
    const last: number[] = [];
    // Each of the writers in flight has keys of its own, so no two write one key at once.
    const run = async (n: number) => {
      const worker = async (w: number) => {
        for (let i = 0; i < n / PUTS_IN_FLIGHT; i++) {
          const key = w + PUTS_IN_FLIGHT * (i % (KEYS / PUTS_IN_FLIGHT));
          const expect = last[key] === undefined ? {} : { expect: { lastSubjectSequence: last[key] } };
          last[key] = (await js.publish(`$KV.bench_guarantees.status.${key}`, data, expect)).seq;
        }
      };
      await Promise.all(Array.from({ length: PUTS_IN_FLIGHT }, (_, w) => worker(w)));
    };
    await run(2 * KEYS);
    const [ours, theirs] = [process.cpuUsage(), cpuSeconds(natsPid)];
    await run(PUTS);
    const used = process.cpuUsage(ours);
    return { writer: (used.user + used.system) / PUTS, 'nats-server': ((cpuSeconds(natsPid) - theirs) * 1e6) / PUTS };
  } finally {
    await jsm.streams.delete(stream);
  }
}
