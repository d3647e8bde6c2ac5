// The write path on a three-node JetStream cluster (the event stream and buckets with three
// replicas), with one and then two processes of every service: complete-phase's latency at
// concurrency 1, its throughput at concurrency 32 spread over the gateways, and what a command
// costs the whole deployment in CPU (every service, the three nats-servers), the sizing figure:
// commands per second per core.
import { startSystem } from '../../test/support/system';
import { completePhaseLoad } from '../load/complete-phase-load';
import type { Figure } from '../report/figures';

export interface ClusterOptions {
  sequential: number;
  durationSeconds: number;
  concurrency: number;
  /** The single-node complete-phase throughput, where the endpoints section measured it. */
  singleNode?: Figure;
  log: (line: string) => void;
}

export async function measureCluster(o: ClusterOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const instances of [1, 2]) {
    o.log(`  three nats-server nodes, ${instances} process${instances > 1 ? 'es' : ''} of each service`);
    const system = await startSystem({ LOG_LEVEL: 'warn' }, { cluster: true, instances });
    try {
      const run = await completePhaseLoad(system, { ...o, instances });
      const { sequential, concurrent } = run;
      o.log(
        `    c=1 p50 ${sequential.p50.toFixed(2)} ms, p99 ${sequential.p99.toFixed(2)} ms; c=${o.concurrency}: ${concurrent.rps}/s, p99 ${concurrent.p99.toFixed(2)} ms, ` +
          `${(concurrent.requests / run.cpuSeconds).toFixed(0)} commands per CPU second${concurrent.failures ? `, ${concurrent.failures} failures` : ''}`,
      );
      o.log(
        `    CPU s by process: ${Object.entries(run.cpu)
          .map(([name, s]) => `${name} ${s.toFixed(2)}`)
          .join(', ')}`,
      );
      const section = `Three-node cluster (replicas 3), ${instances} process${instances > 1 ? 'es' : ''} of each service`;
      const single = o.singleNode ? { baseline: { name: 'one nats-server, one process each', value: o.singleNode.value } } : {};
      figures.push(
        { section, name: 'complete-phase p50 at concurrency 1', value: sequential.p50, unit: 'ms' },
        { section, name: 'complete-phase p99 at concurrency 1', value: sequential.p99, unit: 'ms' },
        {
          section,
          name: `complete-phase req/s at concurrency ${o.concurrency}`,
          value: concurrent.rps,
          unit: 'req/s',
          ...single,
          ...(concurrent.failures ? { note: `${concurrent.failures} failed` } : {}),
        },
        { section, name: `complete-phase p99 at concurrency ${o.concurrency}`, value: concurrent.p99, unit: 'ms' },
        {
          section,
          name: 'commands per CPU second, whole deployment (sizing: commands/s per core)',
          value: Math.round(concurrent.requests / run.cpuSeconds),
          unit: 'req/s',
          note: `${run.cpuSeconds.toFixed(1)} CPU s for ${concurrent.requests} commands, every service and nats-server counted`,
        },
      );
    } finally {
      await system[Symbol.asyncDispose]();
    }
  }
  return figures;
}
