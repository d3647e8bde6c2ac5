// Read-your-writes lag: from a command's reply (the orchestrator has stored the events) to the
// projector announcing it has applied them (its applied-position broadcast, which the gateway
// waits for before answering). Baseline: a bare JetStream publish's ack to an ordered consumer
// receiving that message, in the same process.
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { PUBLICATIONS, REQUESTS } from '@topdog/contracts';
import { request, subscribe } from '@topdog/runtime';
import type { System } from '../../test/support/system';
import { percentile } from '../load/measure';
import { below, type Figure } from '../report/figures';

const SECTION = 'Read-your-writes lag (command reply → projector applied)';

/** Waits for the first announcement at or past a position; resolves with its arrival time. */
class Announcements {
  private seen = 0;
  private waiters: { position: number; resolve: (at: number) => void }[] = [];
  announce(position: number): void {
    const at = performance.now();
    this.seen = Math.max(this.seen, position);
    this.waiters = this.waiters.filter((w) => (w.position <= position ? (w.resolve(at), false) : true));
  }
  reached(position: number): Promise<number> {
    if (this.seen >= position) return Promise.resolve(performance.now());
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }
}

const summarize = (samples: number[]) => {
  const sorted = Float64Array.from(samples).sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
};

export async function measureLag(system: System, samples: number): Promise<Figure[]> {
  const nc = await connect({ servers: system.nats.url, noAsyncTraces: true });
  try {
    const applied = new Announcements();
    subscribe(nc, system.prefix, PUBLICATIONS.projectorApplied, [], (m) => applied.announce(m.position));
    const ours: number[] = [];
    for (let i = 0; i < samples; i++) {
      const data = {
        workflowId: randomUUID(),
        projectId: 'bench',
        buildId: null,
        userId: 'bench',
        requirements: {},
        model: 'gpt-4',
        temperature: 0.7,
        maxTokens: 1000,
      };
      const metadata = { correlationId: randomUUID(), causationId: null, actor: 'user:bench', now: new Date().toISOString() };
      const { position } = await request(nc, system.prefix, REQUESTS.initializeWorkflow, { type: 'InitializeWorkflow', data, metadata }, 5_000);
      const repliedAt = performance.now();
      ours.push(Math.max(0, (await applied.reached(position)) - repliedAt));
    }

    // The bare floor: publish-ack, then an ordered consumer's receipt of the same message.
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'BASELINE_LAG', subjects: ['baseline.lag.>'], storage: 'file' });
    const js = jetstream(nc);
    const received = new Announcements();
    const messages = await (await js.consumers.get('BASELINE_LAG')).consume();
    void (async () => {
      for await (const m of messages) received.announce(m.seq);
    })();
    const bare: number[] = [];
    for (let i = 0; i < samples; i++) {
      const ack = await js.publish(`baseline.lag.${i % 100}`, new TextEncoder().encode('{"x":1}'));
      const ackedAt = performance.now();
      bare.push(Math.max(0, (await received.reached(ack.seq)) - ackedAt));
    }
    await messages.close();

    const a = summarize(ours);
    const b = summarize(bare);
    const base = (value: number) => ({ name: 'JetStream publish ack → ordered consumer receipt', value });
    return [
      { section: SECTION, name: 'lag p50', value: a.p50, unit: 'ms', baseline: base(b.p50), note: `${samples} commands, one at a time` },
      { section: SECTION, name: 'lag p99', value: a.p99, unit: 'ms', baseline: base(b.p99), target: below(10) },
    ];
  } finally {
    await nc.close();
  }
}
