import { countedBy, readingGauge, type Registry } from '@topdog/runtime';
import type { StatusRead } from '../projection/read-model-store';

/** What the projector's series are read from, at each scrape. */
export interface ProjectionReadings {
  /** The current run: position applied, the head it began at, events applied since. */
  progress(): { position: number; target: number; from: number; eventsApplied: number; caughtUp: boolean };
  /** The event store's head now. */
  head(): Promise<number>;
}

/**
 * The projector's series, read when scraped: how far it has applied, how far behind the store's
 * head it is (`topdog_projector_lag_positions`), and how far the current run (a rebuild, or the
 * catch-up at start) has come.
 */
export function projectorMetrics(registry: Registry, readings: ProjectionReadings): void {
  readingGauge(registry, {
    name: 'topdog_projector_applied_position',
    help: 'The event-store position this projector instance has applied',
    read: () => readings.progress().position,
  });
  readingGauge(registry, {
    name: 'topdog_projector_lag_positions',
    help: "How far this instance is behind the event store's head, in positions (0: caught up; KurrentDB counts bytes of its log)",
    read: async () => {
      const head = await readings.head().catch(() => undefined);
      // Not known while the store does not answer: NaN, not the last value (an alert must not read a stale 0).
      return head === undefined ? Number.NaN : Math.max(0, head - readings.progress().position);
    },
  });
  readingGauge(registry, {
    name: 'topdog_projector_run_progress_ratio',
    help: 'How far the current run (a rebuild, or the catch-up at start) has come from where it began to the head it began at: 1 once caught up',
    read: () => {
      const { position, target, from, caughtUp } = readings.progress();
      return caughtUp || target <= from ? 1 : Math.min(1, Math.max(0, (position - from) / (target - from)));
    },
  });
  readingGauge(registry, {
    name: 'topdog_projector_run_events_applied',
    help: 'Events applied since the current run began, live ones included (a rebuild starts it again from 0)',
    read: () => readings.progress().eventsApplied,
  });
}

/**
 * `topdog_projector_status_reads_total`: statuses read from KV, by why: `needed` (applying an
 * event, or a query, found none in memory: a cache miss on the way) or `warm-up` (read ahead of
 * a command an orchestrator announced). Both series start at 0. Returns what counts one.
 */
export function statusReadsCounter(registry: Registry): (reason: StatusRead) => void {
  return countedBy(registry, {
    name: 'topdog_projector_status_reads_total',
    help: 'Workflow statuses read from the read-model bucket: needed (not in memory when an event or a query needed it) or warm-up (read ahead of a command)',
    label: 'reason',
    values: ['needed', 'warm-up'],
  });
}
