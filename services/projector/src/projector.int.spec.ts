import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { REQUESTS } from '@topdog/contracts';
import { request, settle } from '@topdog/runtime';
import { startNatsServer, type NatsServerFixture } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProjector } from './projector';
import { startTestOrchestrator, startTestProjector } from './projector.fixture';

const prefix = 'projtest';
const meta = () => ({ correlationId: randomUUID(), causationId: null, actor: 'user:test', now: new Date().toISOString() });

describe('projector over NATS', () => {
  let server: NatsServerFixture;
  let nc: NatsConnection;
  let projector: RunningProjector;
  const closers: (() => Promise<void>)[] = [];

  const startProjectorInstance = () => startTestProjector(server.url, prefix);

  const initialize = async () => {
    const workflowId = randomUUID();
    const value = await request(
      nc,
      prefix,
      REQUESTS.initializeWorkflow,
      {
        type: 'InitializeWorkflow',
        data: { workflowId, projectId: 'p', buildId: null, userId: 'u', requirements: { goal: 'x' }, model: 'claude', temperature: 0.3, maxTokens: 900 },
        metadata: meta(),
      },
      5000,
    );
    return { workflowId, position: value.position };
  };
  const complete = async (workflowId: string, aiResponse: string) =>
    request(
      nc,
      prefix,
      REQUESTS.completePhase,
      { type: 'CompletePhase', data: { workflowId, aiResponse, phaseResult: { said: aiResponse }, projects: ['*'] }, metadata: meta() },
      5000,
    );
  const status = (workflowId: string, minPosition?: number) => request(nc, prefix, REQUESTS.workflowStatus, { workflowId, minPosition, projects: ['*'] }, 5000);
  const prompt = (workflowId: string, minPosition?: number) => request(nc, prefix, REQUESTS.aiPrompt, { workflowId, minPosition, projects: ['*'] }, 5000);

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url, noAsyncTraces: true });
    closers.push((await startTestOrchestrator(server.url, prefix)).close);
    const p = await startProjectorInstance();
    projector = p.running;
    closers.push(p.close);
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await nc?.close();
    await server?.dispose();
  });

  it('answers the status of each step as soon as the command wrote it', async () => {
    const { workflowId, position } = await initialize();
    expect(await status(workflowId, position)).toMatchObject({
      currentState: 'DISCOVERY',
      progress: 0,
      completedPhases: [],
      nextRole: 'Q_ASSISTANT',
      isComplete: false,
      revision: 0,
    });
    const r = await complete(workflowId, 'requirements');
    expect(await status(workflowId, r.position)).toMatchObject({ currentState: 'PLANNING', progress: 1 / 6, completedPhases: ['DISCOVERY'], revision: 1 });
  });

  it("builds the current phase's prompt with the role's own history", async () => {
    const { workflowId } = await initialize();
    await complete(workflowId, 'the requirements');
    const r = await complete(workflowId, 'the plan');
    const p = await prompt(workflowId, r.position);
    expect(p).toMatchObject({ model: 'claude', temperature: 0.3, maxTokens: 900, role: 'CODE_WRITER', state: 'IMPLEMENTATION' });
    expect(p.messages[0]?.content).toContain('You are Code Writer');
    expect(p.messages[0]?.content).toContain('"said": "the plan"');
  });

  it('answers NOT_FOUND for an unknown workflow and CONFLICT for the prompt of a complete one', async () => {
    expect(await settle(status(randomUUID()))).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const { workflowId } = await initialize();
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await complete(workflowId, `a${i}`)).position;
    expect(await status(workflowId, last)).toMatchObject({ currentState: 'COMPLETE', progress: 1, isComplete: true, nextRole: null });
    expect(await settle(prompt(workflowId, last))).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('resumes from its stored checkpoint after a restart, and rebuilds from the event store', async () => {
    const { workflowId } = await initialize();
    const r = await complete(workflowId, 'x');
    await projector.projection.tracker.waitFor(r.position, 2000);
    await projector.projection.flush();
    await closers.pop()!();
    const second = await complete(workflowId, 'y');
    const p = await startProjectorInstance();
    projector = p.running;
    closers.push(p.close);
    expect(projector.projection.startedFrom).toBeGreaterThanOrEqual(r.position);
    expect(await status(workflowId, second.position)).toMatchObject({ currentState: 'IMPLEMENTATION', revision: 2 });

    await request(nc, prefix, REQUESTS.rebuildReadModels, { reason: 'test' }, 10_000);
    expect(await status(workflowId, second.position)).toMatchObject({
      currentState: 'IMPLEMENTATION',
      revision: 2,
      completedPhases: ['DISCOVERY', 'PLANNING'],
    });
  });
});
