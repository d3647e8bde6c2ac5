import { AppendTooLargeError, EventStoreUnavailableError, WrongExpectedRevisionError, type EventStore } from '@topdog/event-store';
import { Counter, countedBy, Histogram, inSpan, REQUEST_SECONDS_BUCKETS, SpanKind, type Registry } from '@topdog/runtime';
import type { SnapshotReadOutcome } from '../command-handling/state-snapshots';

/** An append's outcome as a label: stored, refused on its revision, too large, the store away, or another failure. */
function outcomeOf(err: unknown): string {
  if (err instanceof WrongExpectedRevisionError) return 'conflict';
  if (err instanceof AppendTooLargeError) return 'too_large';
  if (err instanceof EventStoreUnavailableError) return 'unavailable';
  return 'error';
}

/**
 * The orchestrator's event store, its appends measured and traced (a span each, with tracing
 * on): latency by outcome
 * (`topdog_event_append_duration_seconds`) and revision conflicts
 * (`topdog_revision_conflicts_total`: another writer, often another instance, appended first).
 */
export function measuredEventStore(store: EventStore, registry: Registry): EventStore {
  const duration = new Histogram({
    name: 'topdog_event_append_duration_seconds',
    help: 'Appends to the event store, from the call to its acknowledgement, by outcome (ok, conflict, too_large, unavailable, error)',
    labelNames: ['outcome'],
    buckets: REQUEST_SECONDS_BUCKETS,
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'topdog_revision_conflicts_total',
    help: 'Appends refused because the workflow had moved on (another writer first); the command is decided again',
    registers: [registry],
  });
  return {
    appendToStream(streamId, events, options) {
      const attributes = { 'topdog.stream_id': streamId, 'topdog.events': events.length };
      return inSpan('event-store append', { kind: SpanKind.CLIENT, attributes }, async (span) => {
        const end = duration.startTimer();
        try {
          const result = await store.appendToStream(streamId, events, options);
          end({ outcome: 'ok' });
          span?.setAttribute('topdog.position', result.position);
          return result;
        } catch (err) {
          const outcome = outcomeOf(err);
          end({ outcome });
          if (outcome === 'conflict') conflicts.inc();
          throw err;
        }
      });
    },
    readStream: (streamId, options) => store.readStream(streamId, options),
    ...(store.saveSnapshot && store.readSnapshot ? measuredSnapshots(store as Required<EventStore>, registry) : {}),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}

/**
 * The snapshots' writes, counted: `topdog_state_snapshot_writes_total` by whether each was sent
 * (`sent`; `skipped`: the workflow had moved on, or it was over the bus's message limit).
 */
function measuredSnapshots(store: Required<EventStore>, registry: Registry): Pick<EventStore, 'saveSnapshot' | 'readSnapshot'> {
  const written = countedBy(registry, {
    name: 'topdog_state_snapshot_writes_total',
    help: 'Snapshots of changed workflows written, by outcome (sent; skipped: the workflow had moved on, or too large for the bus)',
    label: 'outcome',
    values: ['sent', 'skipped'],
  });
  return {
    readSnapshot: (streamId) => store.readSnapshot(streamId),
    async saveSnapshot(streamId, snapshot) {
      const sent = await store.saveSnapshot(streamId, snapshot);
      written(sent ? 'sent' : 'skipped');
      return sent;
    },
  };
}

/**
 * `topdog_state_snapshot_reads_total`: what a command on a workflow the instance did not hold
 * made of its snapshot: `used`; `unusable` (another version, naming a prompt this instance does
 * not know, or not of the event the stream holds at its revision: the events were folded);
 * `none` (none kept, or none the store gives: the JetStream adapter gives none whose revision
 * the stream does not hold in the commit it names).
 */
export function snapshotReadsCounter(registry: Registry): (outcome: SnapshotReadOutcome) => void {
  return countedBy(registry, {
    name: 'topdog_state_snapshot_reads_total',
    help: "Snapshots read for commands on workflows not in this instance's cache, by outcome (used, unusable, none)",
    label: 'outcome',
    values: ['used', 'unusable', 'none'],
  });
}
