import { randomUUID } from 'node:crypto';
import type { LlmCallRequested, QueuedLlmCall } from '@topdog/contracts';
import { newTestEvent } from '../test-event';

/** A call request's data, for the call queue's tests: a fresh call id, fixed settings. */
export const callRequestData = (workflowId: string): LlmCallRequested['data'] => ({
  workflowId,
  callId: randomUUID(),
  phase: 'DISCOVERY',
  role: 'Q_ASSISTANT',
  purpose: 'phase',
  model: 'gpt-4',
  provider: 'openai',
  providerModel: 'gpt-4',
  messages: [{ role: 'user', content: 'hello' }],
  temperature: 0.2,
  maxTokens: 100,
  promptVersion: 'v1',
  pricing: { inputPerMTok: 10, outputPerMTok: 30, cachedInputPerMTok: null, cacheWritePerMTok: null },
  answerFormat: 'structured',
});

/** A call as the orchestrator queues it, at revision 3 of its workflow's stream. */
export const queuedCall = (workflowId = randomUUID()): QueuedLlmCall => ({
  ...newTestEvent('LlmCallRequested'),
  type: 'LlmCallRequested',
  streamId: `workflow-${workflowId}`,
  revision: 3,
  metadata: { prevHash: 'sha256:abc' },
  data: callRequestData(workflowId),
});
