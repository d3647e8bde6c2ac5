import { describe, expect, it } from 'vitest';
import { WorkflowEvent } from './workflow.events';

const workflowId = '0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b';
const callId = '11111111-2222-4333-8444-555555555555';

/** Events as the first versions wrote them: a replay reads each field added since with its default. */
describe('events written before a field existed', () => {
  it('start a workflow with no approvals, role models, fallbacks or recorded prompts', () => {
    const event = WorkflowEvent.parse({
      type: 'WorkflowInitialized',
      data: {
        workflowId,
        projectId: 'p',
        buildId: null,
        userId: 'u',
        requirements: {},
        model: 'gpt-4',
        temperature: 0.7,
        maxTokens: 2000,
        initialState: 'DISCOVERY',
      },
    });
    expect(event.data).toMatchObject({ autoAdvance: false, approvalRequired: [], models: {}, fallbackModels: {} });
    expect(event.data).not.toHaveProperty('prompts');
  });

  it('ask for a call read as fenced, priced without cache rates', () => {
    const event = WorkflowEvent.parse({
      type: 'LlmCallRequested',
      data: {
        workflowId,
        callId,
        phase: 'DISCOVERY',
        role: 'Q_ASSISTANT',
        purpose: 'phase',
        model: 'gpt-4',
        provider: 'openai',
        providerModel: 'gpt-4',
        messages: [{ role: 'user', content: 'Phase DISCOVERY: go' }],
        temperature: 0.7,
        maxTokens: 2000,
        promptVersion: 'q_assistant@000000000000',
        pricing: { inputPerMTok: 30, outputPerMTok: 60 },
      },
    });
    expect(event.data).toMatchObject({ answerFormat: 'fenced', pricing: { cachedInputPerMTok: null, cacheWritePerMTok: null } });
  });

  it('record an answer with nothing from the prompt cache and no model of its own', () => {
    const event = WorkflowEvent.parse({
      type: 'LlmCallSucceeded',
      data: {
        workflowId,
        callId,
        phase: 'DISCOVERY',
        content: 'x',
        inputTokens: 10,
        outputTokens: 5,
        costUsd: 0.001,
        latencyMs: 12,
        providerRequestId: null,
        finishReason: 'stop',
        attempts: 1,
      },
    });
    expect(event.data).toMatchObject({ cachedInputTokens: 0, cacheWriteTokens: 0 });
    expect(event.data).not.toHaveProperty('model');
  });
});
