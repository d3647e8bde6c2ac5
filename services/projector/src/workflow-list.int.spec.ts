import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { REQUESTS, type ListWorkflows, type RequestOf, type WorkflowSummary } from '@topdog/contracts';
import { request } from '@topdog/runtime';
import { startNatsServer, type NatsServerFixture } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProjector } from './projector';
import { startTestOrchestrator, startTestProjector } from './projector.fixture';

const prefix = 'listtest';
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
type Query = Omit<RequestOf<typeof REQUESTS.listWorkflows>, 'after'> & { after?: ListWorkflows['after'] };

/** The listing over real NATS: orchestrator and projector instances, workflows created "at" chosen times. */
describe('workflow listing over NATS', () => {
  let server: NatsServerFixture;
  let nc: NatsConnection;
  let projector: RunningProjector;
  const closers: (() => Promise<void>)[] = [];
  let head = 0;

  const startProjectorInstance = async () => {
    const started = await startTestProjector(server.url, prefix);
    closers.push(started.close);
    return started.running;
  };

  /** Creates a workflow as if at `createdAt` (time comes in through the command's metadata). */
  const initialize = async (projectId: string, createdAt: string, model = 'gpt-4') => {
    const workflowId = randomUUID();
    const r = await request(
      nc,
      prefix,
      REQUESTS.initializeWorkflow,
      {
        type: 'InitializeWorkflow',
        data: { workflowId, projectId, buildId: `b-${projectId}`, userId: 'u1', requirements: {}, model, temperature: 0.7, maxTokens: 100 },
        metadata: { correlationId: randomUUID(), causationId: null, actor: 'user:test', now: createdAt },
      },
      5000,
    );
    head = Math.max(head, r.position);
    return workflowId;
  };
  const complete = async (workflowId: string, now: string) => {
    const r = await request(
      nc,
      prefix,
      REQUESTS.completePhase,
      {
        type: 'CompletePhase',
        data: { workflowId, aiResponse: 'done', phaseResult: {}, projects: ['*'] },
        metadata: { correlationId: randomUUID(), causationId: null, actor: 'user:test', now },
      },
      5000,
    );
    head = Math.max(head, r.position);
  };
  const list = (query: Query) => request(nc, prefix, REQUESTS.listWorkflows, { minPosition: head, ...query }, 5000);

  /** Every page, following `next`; `between` runs after each page but the last. */
  async function pageThrough(query: Query, between?: () => Promise<void>): Promise<WorkflowSummary[]> {
    const seen: WorkflowSummary[] = [];
    let after: Query['after'];
    for (;;) {
      const page = await list({ ...query, after });
      seen.push(...page.workflows);
      if (!page.next) return seen;
      after = page.next;
      await between?.();
    }
  }
  const ids = (items: WorkflowSummary[]) => items.map((w) => w.workflowId);

  const created: { id: string; projectId: string; createdAt: string; model: string }[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url, noAsyncTraces: true });
    closers.push((await startTestOrchestrator(server.url, prefix)).close);
    projector = await startProjectorInstance();
    // 60 workflows over two projects and an hour, in shuffled creation order, some sharing a minute.
    const plan = Array.from({ length: 60 }, (_, i) => ({ projectId: i % 3 ? 'alpha' : 'beta', createdAt: at(i), model: i % 4 ? 'gpt-4' : 'claude' }));
    plan.sort(() => Math.random() - 0.5);
    plan.push({ projectId: 'alpha', createdAt: at(30), model: 'gpt-4' }, { projectId: 'beta', createdAt: at(30), model: 'gpt-4' });
    for (const p of plan) created.push({ id: await initialize(p.projectId, p.createdAt, p.model), ...p });
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await nc?.close();
    await server?.dispose();
  });

  const newestFirst = (items: typeof created) =>
    [...items].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : -1)).map((w) => w.id);

  it('lists newest first, paged, with the latest status of each workflow', async () => {
    const first = created[0]!;
    await complete(first.id, at(120));
    const all = await pageThrough({ projects: ['*'], limit: 7 });
    expect(ids(all)).toEqual(newestFirst(created));
    expect(all.find((w) => w.workflowId === first.id)).toMatchObject({
      projectId: first.projectId,
      buildId: `b-${first.projectId}`,
      userId: 'u1',
      currentState: 'PLANNING',
      progress: 1 / 6,
      createdAt: first.createdAt,
      updatedAt: at(120),
      costUsd: 0,
    });
  });

  it('filters by project, model, state and creation time, and by the caller scope', async () => {
    const query = { projects: ['*'], projectId: 'alpha', model: 'gpt-4', createdAfter: at(10), createdBefore: at(50), limit: 3 };
    const expected = newestFirst(created.filter((w) => w.projectId === 'alpha' && w.model === 'gpt-4' && w.createdAt > at(10) && w.createdAt < at(50)));
    expect(ids(await pageThrough(query))).toEqual(expected);
    expect(ids(await pageThrough({ projects: ['beta'], limit: 5 }))).toEqual(newestFirst(created.filter((w) => w.projectId === 'beta')));
    expect((await list({ projects: ['beta'], projectId: 'alpha' })).workflows).toEqual([]);
    expect(ids((await list({ projects: ['*'], state: 'PLANNING' })).workflows)).toEqual([created[0]!.id]);
  });

  it('neither skips nor repeats a workflow while others are created and advance between pages', async () => {
    const before = newestFirst(created);
    let minute = 0;
    const seen = await pageThrough({ projects: ['*'], limit: 4 }, async () => {
      minute++;
      // Concurrently: a newest workflow, one among those already listed, and a phase completed.
      await Promise.all([
        initialize('alpha', at(200 + minute)).then((id) => created.push({ id, projectId: 'alpha', createdAt: at(200 + minute), model: 'gpt-4' })),
        initialize('beta', at(minute)).then((id) => created.push({ id, projectId: 'beta', createdAt: at(minute), model: 'gpt-4' })),
        complete(created[minute % 60]!.id, at(300 + minute)),
      ]);
    });
    expect(new Set(ids(seen)).size).toBe(seen.length);
    expect(ids(seen).filter((id) => before.includes(id))).toEqual(before);
  });

  it('lists the same after a restart (index read back from KV) and after a rebuild', async () => {
    const expected = await pageThrough({ projects: ['*'], limit: 500 });
    await projector.projection.flush();
    await closers.pop()!();
    projector = await startProjectorInstance();
    expect(projector.projection.listing.size).toBe(created.length);
    expect(await pageThrough({ projects: ['*'], limit: 500 })).toEqual(expected);

    await request(nc, prefix, REQUESTS.rebuildReadModels, { reason: 'test' }, 10_000);
    expect(await pageThrough({ projects: ['*'], limit: 500 })).toEqual(expected);
  });
});
