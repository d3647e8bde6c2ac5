import type { LlmCallOutcome } from '@topdog/contracts';
import { decidedEvents } from '@topdog/testing/decider-specification';
import { describe, expect, it } from 'vitest';
import type { WorkflowDecision } from '../workflow/workflow.decide';
import { initializeDecision, testContext, workflowDecider, workflowId } from '../workflow/workflow.fixture';
import { evolve, initialState, type StartedWorkflow, type WorkflowEventWithMetadata } from '../workflow/workflow.state';
import { decodeStateSnapshot, encodeStateSnapshot, knownPrompts, rebasedStateSnapshot, STATE_SNAPSHOT_VERSION } from './state-snapshot';

const decider = workflowDecider();
const ids = Array.from({ length: 8 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const scope = { projects: ['*'] };
const failed: LlmCallOutcome = { ok: false, errorClass: 'rate_limited', message: 'slow down', retryable: true, httpStatus: 429, attempts: 3 };

/**
 * The states a workflow passes through as every part of its state fills: a call failing and
 * asked again, a gated phase's answer held, rejected (feedback), answered again and approved, the
 * next phase's call pending; outcomes under idempotency keys, money spent. The last is the fullest.
 */
function richStates(): StartedWorkflow[] {
  const commands: WorkflowDecision[] = [
    initializeDecision({ approvalRequired: ['DISCOVERY'], budget: { maxCostUsd: 5, maxTokens: 100_000 } }),
    { type: 'RunPhase', data: { workflowId, callId: ids[0]!, ...scope } },
    { type: 'RecordLlmResult', data: { workflowId, callId: ids[0]!, outcome: failed, nextCallId: ids[1]! } },
    { type: 'CompletePhase', data: { workflowId, aiResponse: 'by hand', phaseResult: { n: 1 }, ...scope } },
    { type: 'RejectPhase', data: { workflowId, comment: 'say more', nextCallId: ids[2]!, ...scope } },
    { type: 'CompletePhase', data: { workflowId, aiResponse: 'more', phaseResult: { n: 2 }, ...scope } },
    { type: 'ApprovePhase', data: { workflowId, comment: 'good', nextCallId: ids[3]!, ...scope } },
    { type: 'RunPhase', data: { workflowId, callId: ids[4]!, ...scope } },
  ];
  const events = decidedEvents(decider, commands).map((e, i): WorkflowEventWithMetadata => ({
    ...e,
    id: `event-${i}`,
    metadata: { idempotencyKey: `key-${i}`, requestHash: `hash-${i}` },
  }));
  const states: StartedWorkflow[] = [];
  events.reduce((state, event) => {
    const next = evolve(state, event);
    states.push(next as StartedWorkflow);
    return next;
  }, initialState());
  return states;
}
const richState = () => richStates().at(-1)!;

/** The names of each part of a state, nested objects under their parent's: what a snapshot of this version holds. */
function shapeOf(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.length > 0 ? shapeOf(value[0], `${path}[]`) : [`${path}[]`];
  if (value === null || typeof value !== 'object') return [path];
  return Object.entries(value).flatMap(([key, v]) => [`${path}.${key}`, ...shapeOf(v, `${path}.${key}`)]);
}

describe('state snapshots', () => {
  it('give back the state folded, equal in every part', () => {
    const state = richState();
    const folded = { state, position: 12_001, lastHash: 'abc' };
    expect(decodeStateSnapshot(encodeStateSnapshot(folded))).toEqual(folded);
    expect(decodeStateSnapshot(encodeStateSnapshot({ ...folded, lastHash: null }))).toEqual({ ...folded, lastHash: null });
  });

  it("name the prompts every instance knows instead of carrying them, and carry a workflow's own", () => {
    const known = knownPrompts(Object.values(testContext.prompts));
    const state = richState();
    const folded = { state, position: 12_001, lastHash: 'abc' };
    const named = encodeStateSnapshot(folded, known);
    expect(named.byteLength).toBeLessThan(encodeStateSnapshot(folded).byteLength - 2_500);
    expect(decodeStateSnapshot(named, known)).toEqual(folded);
    // An instance that does not know them cannot read it: its events are folded instead.
    expect(decodeStateSnapshot(named)).toBeUndefined();
    // A prompt of the workflow's own (an override) is carried whole.
    const own = { ...state.prompts!.CODE_WRITER, text: 'write it in Rust', sha256: 'f'.repeat(64) };
    const withOwn = { ...folded, state: { ...state, prompts: { ...state.prompts!, CODE_WRITER: own } } };
    const encoded = encodeStateSnapshot(withOwn, known);
    expect(new TextDecoder().decode(encoded)).toContain('write it in Rust');
    expect(decodeStateSnapshot(encoded, known)).toEqual(withOwn);
    // Taken again at another position and hash (the bench's clones), nothing else changes.
    expect(decodeStateSnapshot(rebasedStateSnapshot(named, { position: 7_000, lastHash: null }), known)).toEqual({
      ...folded,
      position: 7_000,
      lastHash: null,
    });
  });

  it('are not read when of another version, or not a snapshot', () => {
    const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const state = richState();
    expect(decodeStateSnapshot(bytes({ v: STATE_SNAPSHOT_VERSION + 1, state, position: 1, lastHash: null }))).toBeUndefined();
    expect(decodeStateSnapshot(bytes({ v: STATE_SNAPSHOT_VERSION, state: { status: 'empty' }, position: 1, lastHash: null }))).toBeUndefined();
    expect(decodeStateSnapshot(bytes({ v: STATE_SNAPSHOT_VERSION, state, position: 'x', lastHash: null }))).toBeUndefined();
    expect(decodeStateSnapshot(new TextEncoder().encode('{not json'))).toBeUndefined();
  });

  it(`hold the shape of version ${STATE_SNAPSHOT_VERSION}: a change to the state's shape must bump STATE_SNAPSHOT_VERSION`, () => {
    const shape = richStates().flatMap(({ calls, outcomes, requirements: _r, ...rest }) => [
      ...shapeOf(rest),
      // Records keyed by call id or idempotency key: the shape of their entries.
      ...Object.values(calls).flatMap((call) => shapeOf(call, '.calls.*')),
      ...Object.values(outcomes).flatMap((outcome) => shapeOf(outcome, '.outcomes.*')),
    ]);
    // If this fails, the state changed shape: bump STATE_SNAPSHOT_VERSION, then update the list.
    expect({ version: STATE_SNAPSHOT_VERSION, shape: [...new Set(shape)].filter((p) => !p.startsWith('.prompts.')).sort() }).toMatchInlineSnapshot(`
      {
        "shape": [
          ".awaiting",
          ".awaiting.aiResponse",
          ".awaiting.phase",
          ".awaiting.phaseResult",
          ".awaiting.phaseResult.n",
          ".calls.*.model",
          ".calls.*.phase",
          ".calls.*.pricing",
          ".calls.*.pricing.cacheWritePerMTok",
          ".calls.*.pricing.cachedInputPerMTok",
          ".calls.*.pricing.inputPerMTok",
          ".calls.*.pricing.outputPerMTok",
          ".calls.*.recorded",
          ".calls.*.requestId",
          ".current",
          ".feedback",
          ".feedback[]",
          ".feedback[].answer",
          ".feedback[].comment",
          ".feedback[].from",
          ".feedback[].kind",
          ".outcomes.*.awaitingApproval",
          ".outcomes.*.callId",
          ".outcomes.*.command",
          ".outcomes.*.kind",
          ".outcomes.*.model",
          ".outcomes.*.newState",
          ".outcomes.*.nextRole",
          ".outcomes.*.phase",
          ".outcomes.*.previousState",
          ".outcomes.*.promptVersion",
          ".outcomes.*.requestHash",
          ".outcomes.*.role",
          ".outcomes.*.supersededPhases",
          ".outcomes.*.supersededPhases[]",
          ".pendingCall",
          ".pendingCall.answerFormat",
          ".pendingCall.callId",
          ".pendingCall.messages",
          ".pendingCall.messages[].content",
          ".pendingCall.messages[].role",
          ".pendingCall.phase",
          ".phaseFallbacks",
          ".phaseRepairs",
          ".phases",
          ".phases[]",
          ".phases[].aiResponse",
          ".phases[].phase",
          ".phases[].phaseResult",
          ".phases[].phaseResult.n",
          ".phases[].role",
          ".projectId",
          ".prompts",
          ".settings",
          ".settings.approvalRequired",
          ".settings.approvalRequired[]",
          ".settings.autoAdvance",
          ".settings.budget",
          ".settings.budget.maxCostUsd",
          ".settings.budget.maxTokens",
          ".settings.fallbackModels",
          ".settings.maxTokens",
          ".settings.model",
          ".settings.models",
          ".settings.temperature",
          ".spent",
          ".spent.costUsd",
          ".spent.tokens",
          ".status",
          ".workflowId",
        ],
        "version": 1,
      }
    `);
  });
});
