import { PHASES, type WorkflowEnvelope } from '@topdog/contracts';
import { buildPrompt, examplePhaseResult, loadPromptLibrary } from '@topdog/prompts';
import { describe, expect, it } from 'vitest';
import { evolvePromptView, type PromptView } from './prompt-context';
import { evolveStatus } from './workflow-status';
import type { WorkflowStatus } from '@topdog/contracts';

const workflowId = '0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b';
let revision = 0;
const envelope = (type: string, data: Record<string, unknown>): WorkflowEnvelope =>
  ({
    id: `e${revision}`,
    streamId: `workflow-${workflowId}`,
    revision,
    position: 1000 * ++revision,
    occurredAt: `2026-01-01T00:00:0${revision % 10}.000Z`,
    correlationId: 'c',
    causationId: null,
    actor: 'a',
    schemaVersion: 1,
    metadata: {},
    type,
    data: { workflowId, ...data },
  }) as WorkflowEnvelope;

function walk(phases: number): WorkflowEnvelope[] {
  revision = 0;
  const events = [
    envelope('WorkflowInitialized', {
      projectId: 'p',
      buildId: null,
      userId: 'u',
      requirements: { r: 1 },
      model: 'gpt-4',
      temperature: 0.7,
      maxTokens: 2000,
      initialState: 'DISCOVERY',
      autoAdvance: false,
      budget: { maxCostUsd: 1, maxTokens: null },
    }),
  ];
  const owners = ['Q_ASSISTANT', 'Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR', 'VERIFIER', 'RELEASE_MANAGER'];
  for (let i = 0; i < phases; i++) {
    events.push(
      envelope('PhaseCompleted', {
        phase: PHASES[i],
        role: owners[i],
        aiResponse: `answer ${i}`,
        phaseResult: { i },
        previousState: PHASES[i],
        newState: PHASES[i + 1] ?? 'COMPLETE',
        nextRole: owners[i + 1] ?? null,
      }),
    );
  }
  if (phases === 6) events.push(envelope('WorkflowCompleted', { completedPhases: [...PHASES] }));
  return events;
}

/** A read model after these events. */
const fold = <M>(events: WorkflowEnvelope[], evolve: (m: M | undefined, e: WorkflowEnvelope) => M | undefined) =>
  events.reduce<M | undefined>(evolve, undefined);

describe('status read model', () => {
  it('shows the seed status shape after each phase', () => {
    const status = walk(2).reduce<WorkflowStatus | undefined>(evolveStatus, undefined);
    expect(status).toMatchObject({
      workflowId,
      currentState: 'IMPLEMENTATION',
      progress: 2 / 6,
      completedPhases: ['DISCOVERY', 'PLANNING'],
      nextRole: 'CODE_WRITER',
      isComplete: false,
      revision: 2,
      position: 3000,
    });
  });

  it('is complete with progress 1 after all six phases', () => {
    const status = walk(6).reduce<WorkflowStatus | undefined>(evolveStatus, undefined);
    expect(status).toMatchObject({ currentState: 'COMPLETE', progress: 1, isComplete: true, nextRole: null, revision: 7 });
  });
});

describe('prompt read model', () => {
  it('keeps settings, requirements and each completed answer in order', () => {
    const view = walk(3).reduce<PromptView | undefined>(evolvePromptView, undefined);
    expect(view?.revision).toBe(3);
    expect(view?.context).toMatchObject({ state: 'TESTING', model: 'gpt-4', requirements: { r: 1 } });
    expect(view?.context.phases.map((p) => [p.phase, p.role, p.aiResponse])).toEqual([
      ['DISCOVERY', 'Q_ASSISTANT', 'answer 0'],
      ['PLANNING', 'Q_ASSISTANT', 'answer 1'],
      ['IMPLEMENTATION', 'CODE_WRITER', 'answer 2'],
    ]);
  });

  it('counts roughly the bytes it holds, growing with each answer', () => {
    const views = walk(3).reduce<PromptView[]>((acc, e) => [...acc, evolvePromptView(acc.at(-1), e)!], []);
    const sizes = views.map((v) => v.bytes);
    const json = JSON.stringify(views.at(-1)!.context).length;
    expect(sizes.at(-1)).toBeGreaterThan(json * 0.5);
    expect(sizes.at(-1)).toBeLessThan(json * 3);
    expect(sizes[1]).toBeGreaterThan(sizes[0]!);
  });
});

describe('approvals, send-back and cancel in the read models', () => {
  const held = () => envelope('ApprovalRequested', { phase: 'IMPLEMENTATION', role: 'CODE_WRITER', aiResponse: 'code v1', phaseResult: {}, callId: null });

  it('keeps a held phase current and out of completed_phases, with awaiting_approval, until decided', () => {
    const events = [...walk(2), held()];
    expect(fold(events, evolveStatus)).toMatchObject({
      currentState: 'IMPLEMENTATION',
      completedPhases: ['DISCOVERY', 'PLANNING'],
      progress: 2 / 6,
      awaitingApproval: { phase: 'IMPLEMENTATION', requestedAt: events.at(-1)!.occurredAt },
    });
    const rejected = [...events, envelope('PhaseRejected', { phase: 'IMPLEMENTATION', role: 'CODE_WRITER', comment: 'no tests', rejectedResponse: 'code v1' })];
    expect(fold(rejected, evolveStatus)).toMatchObject({ currentState: 'IMPLEMENTATION', awaitingApproval: null, completedPhases: ['DISCOVERY', 'PLANNING'] });
    // The prompt's next turn for the phase carries the rejected answer and the comment.
    expect(fold(rejected, evolvePromptView)?.context).toMatchObject({
      state: 'IMPLEMENTATION',
      feedback: [{ kind: 'rejected', from: 'IMPLEMENTATION', answer: 'code v1', comment: 'no tests' }],
    });
  });

  it('follows the current path after a send-back: superseded answers out of the status and the prompt', () => {
    const events = [
      ...walk(4),
      envelope('PhaseSentBack', {
        fromState: 'VERIFICATION',
        toPhase: 'IMPLEMENTATION',
        role: 'CODE_WRITER',
        reason: 'the build is red',
        supersededPhases: ['IMPLEMENTATION', 'TESTING'],
        abandonedCallId: null,
      }),
    ];
    expect(fold(events, evolveStatus)).toMatchObject({
      currentState: 'IMPLEMENTATION',
      completedPhases: ['DISCOVERY', 'PLANNING'],
      progress: 2 / 6,
      nextRole: 'CODE_WRITER',
      isComplete: false,
    });
    const view = fold(events, evolvePromptView);
    expect(view?.context.phases.map((p) => p.phase)).toEqual(['DISCOVERY', 'PLANNING']);
    expect(view?.context.feedback).toEqual([{ kind: 'sent_back', from: 'VERIFICATION', answer: null, comment: 'the build is red' }]);
    // What get-ai-prompt shows: the reason in, the superseded answers (and their results) out.
    const text = buildPrompt(view!.context, loadPromptLibrary())
      .messages.map((m) => m.content)
      .join('\n');
    expect(text).toContain('the build is red');
    expect(text).toContain('"i": 1');
    expect(text).not.toContain('answer 2');
    expect(text).not.toContain('"i": 2');
    expect(text).not.toContain('answer 3');
  });

  it('shows CANCELLED with the reason; a late call result counts its cost and changes nothing else', () => {
    const cancelled = [...walk(1), envelope('WorkflowCancelled', { fromState: 'PLANNING', reason: 'dropped', abandonedCallId: null })];
    const status = fold(cancelled, evolveStatus);
    expect(status).toMatchObject({
      currentState: 'CANCELLED',
      isComplete: false,
      nextRole: null,
      cancelled: { reason: 'dropped' },
      completedPhases: ['DISCOVERY'],
    });
    const late = envelope('LlmCallSucceeded', {
      callId: '00000000-0000-4000-8000-000000000001',
      phase: 'PLANNING',
      content: 'late',
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0.01,
      latencyMs: 1,
      providerRequestId: null,
      finishReason: 'stop',
      attempts: 1,
    });
    expect(evolveStatus(status, late)).toMatchObject({ currentState: 'CANCELLED', usage: { total: { calls: 1, costUsd: 0.01 } } });
  });
});

describe('model calls in the status', () => {
  const callId = '00000000-0000-4000-8000-000000000002';
  const call = (answerFormat: 'structured' | 'fenced', content: string) => [
    ...walk(0),
    envelope('LlmCallRequested', {
      callId,
      phase: 'DISCOVERY',
      role: 'Q_ASSISTANT',
      purpose: 'phase',
      model: 'gpt-4.1',
      provider: 'openai',
      providerModel: 'gpt-4.1',
      messages: [],
      temperature: 0.7,
      maxTokens: 2000,
      promptVersion: 'v',
      pricing: { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5, cacheWritePerMTok: null },
      answerFormat,
    }),
    envelope('LlmCallSucceeded', {
      callId,
      phase: 'DISCOVERY',
      model: 'gpt-4.1',
      content,
      inputTokens: 100,
      outputTokens: 50,
      cachedInputTokens: 60,
      cacheWriteTokens: 0,
      costUsd: 0.0005,
      latencyMs: 1,
      providerRequestId: null,
      finishReason: 'stop',
      attempts: 1,
    }),
  ];
  const result = examplePhaseResult('DISCOVERY');

  it('gives the last answer as complete-phase takes it, read in the format it was asked for, and counts it by model', () => {
    const structured = JSON.stringify({ document: '# Found', result });
    const status = fold(call('structured', structured), evolveStatus)!;
    expect(status.llm.lastCall).toMatchObject({ status: 'succeeded', content: structured, aiResponse: '# Found', phaseResult: result });
    expect(status.usage.byModel['gpt-4.1']).toMatchObject({ calls: 1, inputTokens: 100, cachedInputTokens: 60 });
    const fenced = `Found.\n\n\`\`\`json\n${JSON.stringify(result)}\n\`\`\``;
    expect(fold(call('fenced', fenced), evolveStatus)?.llm.lastCall).toMatchObject({ aiResponse: fenced, phaseResult: result });
  });

  it('leaves them null for an answer that misses the schema', () => {
    expect(fold(call('structured', 'not JSON'), evolveStatus)?.llm.lastCall).toMatchObject({ content: 'not JSON', aiResponse: null, phaseResult: null });
  });
});
