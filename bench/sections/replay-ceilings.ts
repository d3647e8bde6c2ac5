// What each replay could reach with the work its guarantees require, beside the ordered
// consumer it is judged against: the CPU of that work per event, measured on a workflow's own
// events in this process, added to the consumer's time per event. An estimate, not a bound: it
// takes the consumer's time as all its own, where some of it may be spent waiting on nats-server,
// which the added work could overlap.
import { connect } from '@nats-io/transport-node';
import { ALL_PROJECTS, REQUESTS, WorkflowEnvelope, workflowStreamId } from '@topdog/contracts';
import { eventHash, type EventStore, type StoredEvent } from '@topdog/event-store';
import { request } from '@topdog/runtime';
import type { System } from '../../test/support/system';
import type { Figure } from '../report/figures';
import { cpuPerCall, putCost } from '../support/cpu-cost';

/** CPU µs per replayed event of the work no replay may skip. */
export interface ReplayGuarantees {
  /** Each event checked against its schema, as the projector applies only what it has checked. */
  validation: number;
  /** Each event's hash, which GET /api/events sends computed, not as recorded (a changed event shows). */
  hash: number;
  /** One status write per workflow, the projector's side of it (nats-server's runs beside), over the workflow's events. */
  write: number;
  /** The workflow's events, over which the write is shared. */
  eventsPerWorkflow: number;
}

export async function measureReplayGuarantees(system: System, store: EventStore, workflowId: string): Promise<ReplayGuarantees> {
  const events = await store.readStream(workflowStreamId(workflowId));
  const perEvent = (work: (e: StoredEvent) => unknown) =>
    cpuPerCall(() => {
      for (const e of events) work(e);
    }) / events.length;
  const nc = await connect({ servers: system.nats.url, noAsyncTraces: true });
  try {
    const status = await request(nc, system.prefix, REQUESTS.workflowStatus, { workflowId, projects: [ALL_PROJECTS] }, 5_000);
    return {
      validation: perEvent((e) => WorkflowEnvelope.parse(e)),
      hash: perEvent((e) => eventHash(e)),
      write: (await putCost(nc, system.nats.pid!, JSON.stringify(status))).writer / events.length,
      eventsPerWorkflow: events.length,
    };
  } finally {
    await nc.close();
  }
}

/** The guarantees' costs, and the rate each replay could reach with them, beside `floor` (events/s). */
export function replayCeilings(section: string, floor: { name: string; value: number }, g: ReplayGuarantees): Figure[] {
  const reach = (extraMicros: number) => 1 / (1 / floor.value + extraMicros / 1e6);
  return [
    { section, name: 'guarantees per replayed event: validation', value: g.validation, unit: 'µs' },
    { section, name: 'guarantees per replayed event: hash', value: g.hash, unit: 'µs' },
    { section, name: `guarantees per replayed event: a status write per ${g.eventsPerWorkflow} events (the projector's side)`, value: g.write, unit: 'µs' },
    { section, name: 'ordered consumer with the guarantees of a rebuild', value: reach(g.validation + g.write), unit: 'events/s', baseline: floor },
    { section, name: 'ordered consumer with the guarantees of GET /api/events', value: reach(g.hash), unit: 'events/s', baseline: floor },
  ];
}
