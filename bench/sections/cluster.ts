// The write path on a three-node JetStream cluster (the event stream and buckets with three
// replicas), with one and then two processes of every service: complete-phase's latency at
// concurrency 1, its throughput at concurrency 32 spread over the gateways, and what a command
// costs the whole deployment in CPU (every service, the three nats-servers), the sizing figure:
// commands per second per core.
import type { Request } from 'autocannon';
import { initializeBody } from '../../test/support/http';
import { SERVICES, startSystem, type System } from '../../test/support/system';
import type { Figure } from '../report/figures';
import { load, type Measured } from '../load/measure';
import { countCpu } from '../support/process-cpu';

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
      figures.push(...(await measureOn(system, instances, o)));
    } finally {
      await system[Symbol.asyncDispose]();
    }
  }
  return figures;
}

async function measureOn(system: System, instances: number, o: ClusterOptions): Promise<Figure[]> {
  const section = `Three-node cluster (replicas 3), ${instances} process${instances > 1 ? 'es' : ''} of each service`;
  // Every command goes to the next workflow in turn, across all the runs, so none runs out of
  // phases: a workflow takes six complete-phases, and up to 2,400 commands/s are expected.
  const ids = await initializeWorkflows(system, 1_000 + o.durationSeconds * 800);
  let next = 0;
  const completions: Request[] = [
    {
      method: 'POST',
      path: '/api/ai-workflows/complete-phase',
      setupRequest: (req: Request) => ({ ...req, body: JSON.stringify({ workflow_id: ids[next++ % ids.length], ai_response: 'phase output' }) }),
    },
  ];
  await load({ name: 'warm', url: system.baseUrl, connections: 8, amount: 2_000, requests: completions });
  const sequential = await load({ name: 'complete-phase', url: system.baseUrl, connections: 1, amount: o.sequential, requests: completions });

  const pids: Record<string, number> = {};
  for (const service of SERVICES) for (let i = 0; i < instances; i++) pids[`${service}-${i}`] = system.pid(service, i)!;
  system.cluster!.nodes.forEach((node, i) => (pids[`nats-server-${i}`] = node.pid!));
  const counting = countCpu(pids);
  // The connections split over the gateways, as a load balancer would.
  const perGateway = Math.floor(o.concurrency / instances);
  const runs = await Promise.all(
    system.baseUrls.map((url) => load({ name: 'complete-phase', url, connections: perGateway, duration: o.durationSeconds, requests: completions })),
  );
  const used = counting.stop();
  const cpuSeconds = Object.values(used).reduce((a, b) => a + b, 0);
  const total = sumRuns(runs);
  o.log(
    `    c=1 p50 ${sequential.p50.toFixed(2)} ms, p99 ${sequential.p99.toFixed(2)} ms; c=${o.concurrency}: ${total.rps}/s, p99 ${total.p99.toFixed(2)} ms, ` +
      `${(total.requests / cpuSeconds).toFixed(0)} commands per CPU second${total.failures ? `, ${total.failures} failures` : ''}`,
  );
  o.log(
    `    CPU s by process: ${Object.entries(used)
      .map(([name, s]) => `${name} ${s.toFixed(2)}`)
      .join(', ')}`,
  );
  const single = o.singleNode ? { baseline: { name: 'one nats-server, one process each', value: o.singleNode.value } } : {};
  return [
    { section, name: 'complete-phase p50 at concurrency 1', value: sequential.p50, unit: 'ms' },
    { section, name: 'complete-phase p99 at concurrency 1', value: sequential.p99, unit: 'ms' },
    {
      section,
      name: `complete-phase req/s at concurrency ${o.concurrency}`,
      value: total.rps,
      unit: 'req/s',
      ...single,
      ...(total.failures ? { note: `${total.failures} failed` } : {}),
    },
    { section, name: `complete-phase p99 at concurrency ${o.concurrency}`, value: total.p99, unit: 'ms' },
    {
      section,
      name: 'commands per CPU second, whole deployment (sizing: commands/s per core)',
      value: Math.round(total.requests / cpuSeconds),
      unit: 'req/s',
      note: `${cpuSeconds.toFixed(1)} CPU s for ${total.requests} commands, every service and nats-server counted`,
    },
  ];
}

/** Workflows to complete phases of, made through the first gateway. */
async function initializeWorkflows(system: System, count: number): Promise<string[]> {
  const ids: string[] = [];
  await load({
    name: 'initialize',
    url: system.baseUrl,
    connections: 16,
    amount: count,
    requests: [
      {
        method: 'POST',
        path: '/api/ai-workflows/initialize',
        body: JSON.stringify(initializeBody()),
        onResponse: (status, body) => void (status === 200 && ids.push(JSON.parse(body).workflow_id)),
      },
    ],
  });
  return ids;
}

/** Concurrent runs as one: their requests and rates added, the worst p99 (a conservative merge of percentiles). */
function sumRuns(runs: Measured[]): { requests: number; rps: number; p99: number; failures: number } {
  return {
    requests: runs.reduce((a, r) => a + r.requests, 0),
    rps: runs.reduce((a, r) => a + r.rps, 0),
    p99: Math.max(...runs.map((r) => r.p99)),
    failures: runs.reduce((a, r) => a + r.non2xx + r.errors, 0),
  };
}
