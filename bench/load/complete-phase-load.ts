// complete-phase driven against a running system: first one at a time, then at a concurrency
// spread over its gateways, with every process's CPU counted over the concurrent run. Shared by
// the sections that compare deployments (a cluster, tracing on and off).
import type { Request } from 'autocannon';
import { initializeBody } from '../../test/support/http';
import { SERVICES, type System } from '../../test/support/system';
import { countCpu } from '../support/process-cpu';
import { load, type Measured } from './measure';

export interface CompletePhaseLoadOptions {
  sequential: number;
  durationSeconds: number;
  concurrency: number;
  /** Processes of each service the system runs. */
  instances: number;
}

export interface CompletePhaseLoad {
  /** At concurrency 1. */
  sequential: Measured;
  /** At the concurrency, all gateways together: requests, rate, the worst gateway's p99. */
  concurrent: { requests: number; rps: number; p99: number; failures: number };
  /** CPU seconds of each process (services, nats-servers) over the concurrent run. */
  cpu: Record<string, number>;
  cpuSeconds: number;
}

export async function completePhaseLoad(system: System, o: CompletePhaseLoadOptions): Promise<CompletePhaseLoad> {
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
  for (const service of SERVICES) for (let i = 0; i < o.instances; i++) pids[`${service}-${i}`] = system.pid(service, i)!;
  const nodes = system.cluster?.nodes ?? [system.nats];
  nodes.forEach((node, i) => (pids[`nats-server-${i}`] = node.pid!));
  const counting = countCpu(pids);
  // The connections split over the gateways, as a load balancer would.
  const perGateway = Math.floor(o.concurrency / o.instances);
  const runs = await Promise.all(
    system.baseUrls.map((url) => load({ name: 'complete-phase', url, connections: perGateway, duration: o.durationSeconds, requests: completions })),
  );
  const cpu = counting.stop();
  return {
    sequential,
    concurrent: {
      requests: runs.reduce((a, r) => a + r.requests, 0),
      rps: runs.reduce((a, r) => a + r.rps, 0),
      // The worst gateway's: a conservative merge of percentiles.
      p99: Math.max(...runs.map((r) => r.p99)),
      failures: runs.reduce((a, r) => a + r.non2xx + r.errors, 0),
    },
    cpu,
    cpuSeconds: Object.values(cpu).reduce((a, b) => a + b, 0),
  };
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
