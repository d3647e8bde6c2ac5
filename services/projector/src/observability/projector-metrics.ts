import { Gauge, type Registry } from '@topdog/runtime';

/** What the projector's series are read from, at each scrape. */
export interface ProjectionReadings {
  /** The current run: position applied, the head it began at, events applied since. */
  progress(): { position: number; target: number; eventsApplied: number; caughtUp: boolean };
  /** The event store's head now. */
  head(): Promise<number>;
}

/**
 * The projector's series, read when scraped: how far it has applied, how far behind the store's
 * head it is (`topdog_projector_lag_positions`), and how far the current run (a rebuild, or the
 * catch-up at start) has come.
 */
export function projectorMetrics(registry: Registry, readings: ProjectionReadings): void {
  new Gauge({
    name: 'topdog_projector_applied_position',
    help: 'The event-store position this projector instance has applied',
    registers: [registry],
    collect() {
      this.set(readings.progress().position);
    },
  });
  new Gauge({
    name: 'topdog_projector_lag_positions',
    help: "How far this instance is behind the event store's head, in positions (0: caught up; KurrentDB counts bytes of its log)",
    registers: [registry],
    async collect() {
      const head = await readings.head().catch(() => undefined);
      if (head !== undefined) this.set(Math.max(0, head - readings.progress().position));
    },
  });
  new Gauge({
    name: 'topdog_projector_run_progress_ratio',
    help: 'The current run (a rebuild, or the catch-up at start): the position applied over the head when it began; 1 once caught up',
    registers: [registry],
    collect() {
      const { position, target, caughtUp } = readings.progress();
      this.set(caughtUp || target === 0 ? 1 : Math.min(1, position / target));
    },
  });
  new Gauge({
    name: 'topdog_projector_run_events_applied',
    help: 'Events applied by the current run (a rebuild starts it again from 0)',
    registers: [registry],
    collect() {
      this.set(readings.progress().eventsApplied);
    },
  });
}
