// What tracing costs the command path: complete-phase on one nats-server and one process of
// each service, with tracing off (no endpoint: nothing loaded) and then on (every span exported
// over OTLP/HTTP protobuf to a receiver in the bench's process), one system after the other.
import { OtlpReceiver } from '@topdog/testing';
import { startSystem } from '../../test/support/system';
import { completePhaseLoad } from '../load/complete-phase-load';
import type { Figure } from '../report/figures';

export interface TracingOptions {
  sequential: number;
  durationSeconds: number;
  concurrency: number;
  log: (line: string) => void;
}

export async function measureTracing(o: TracingOptions): Promise<Figure[]> {
  const section = 'Tracing off and on: complete-phase, one nats-server, one process each';
  const results: Record<'off' | 'on', Awaited<ReturnType<typeof completePhaseLoad>>> = {} as never;
  const receiver = await OtlpReceiver.start();
  try {
    for (const mode of ['off', 'on'] as const) {
      const env: Record<string, string> = mode === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '1000' } : {};
      const system = await startSystem({ LOG_LEVEL: 'warn', ...env });
      try {
        results[mode] = await completePhaseLoad(system, { ...o, instances: 1 });
        const r = results[mode];
        o.log(
          `  tracing ${mode}: c=1 p50 ${r.sequential.p50.toFixed(2)} ms, p99 ${r.sequential.p99.toFixed(2)} ms; c=${o.concurrency}: ${r.concurrent.rps}/s, ` +
            `${((r.cpuSeconds / r.concurrent.requests) * 1e6).toFixed(0)} µs CPU per command${r.concurrent.failures ? `, ${r.concurrent.failures} failures` : ''}`,
        );
      } finally {
        await system[Symbol.asyncDispose]();
      }
    }
    o.log(`  ${receiver.contentTypes.length} OTLP exports received`);
  } finally {
    await receiver.close();
  }
  const off = results.off;
  const on = results.on;
  const vs = (name: string, value: number) => ({ baseline: { name: `tracing off: ${name}`, value } });
  return [
    { section, name: 'complete-phase p99 at concurrency 1, tracing on', value: on.sequential.p99, unit: 'ms', ...vs('p99', off.sequential.p99) },
    {
      section,
      name: `complete-phase req/s at concurrency ${o.concurrency}, tracing on`,
      value: on.concurrent.rps,
      unit: 'req/s',
      ...vs('req/s', off.concurrent.rps),
      ...(on.concurrent.failures + off.concurrent.failures ? { note: `${on.concurrent.failures} / ${off.concurrent.failures} failed` } : {}),
    },
    {
      section,
      name: 'CPU per complete-phase, every process, tracing on',
      value: (on.cpuSeconds / on.concurrent.requests) * 1e6,
      unit: 'µs',
      ...vs('CPU per complete-phase', (off.cpuSeconds / off.concurrent.requests) * 1e6),
    },
  ];
}
