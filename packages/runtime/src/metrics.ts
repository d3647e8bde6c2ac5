import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

/**
 * Latency buckets in seconds for what a service does per request: sub-millisecond hand-offs up
 * to the 5 s a caller waits.
 */
export const REQUEST_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Buckets for model calls, which take seconds to minutes. */
export const MODEL_CALL_SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320];

/**
 * A gauge whose value is read when Prometheus scrapes: a figure held elsewhere (open streams,
 * pending calls, a position), never copied into the gauge as it changes.
 */
export function readingGauge(registry: Registry, gauge: { name: string; help: string; read: () => number | Promise<number> }): void {
  new Gauge({
    name: gauge.name,
    help: gauge.help,
    registers: [registry],
    async collect() {
      this.set(await gauge.read());
    },
  });
}

/**
 * A counter with one label whose every value has a series from the start (at 0), so a rate or an
 * alert on any of them works before the first count. Returns what counts one.
 */
export function countedBy<V extends string>(
  registry: Registry,
  counter: { name: string; help: string; label: string; values: readonly V[] },
): (value: V) => void {
  const c = new Counter({ name: counter.name, help: counter.help, labelNames: [counter.label], registers: [registry] });
  for (const value of counter.values) c.inc({ [counter.label]: value }, 0);
  return (value) => c.inc({ [counter.label]: value });
}

/**
 * A service's Prometheus registry: the process's own series (`process_*`, `nodejs_*`: CPU,
 * memory, event-loop lag, GC) and the service's `topdog_*` series, which each service defines
 * where it measures them. Served as Prometheus text at `/metrics`.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
