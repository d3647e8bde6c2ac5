import { budgetExceededMessage, NO_USAGE, type Usage, type WorkflowEnvelope, type WorkflowStatus } from '@topdog/contracts';
import { parsePhaseAnswer } from '@topdog/prompts';

type LlmEvent = Extract<WorkflowEnvelope, { type: 'LlmCallRequested' | 'LlmCallSucceeded' | 'LlmCallFailed' | 'BudgetExceeded' | 'PhaseOutputRejected' }>;

function add(usage: Usage | undefined, event: Extract<LlmEvent, { type: 'LlmCallSucceeded' | 'LlmCallFailed' }>): Usage {
  const u = usage ?? NO_USAGE;
  if (event.type === 'LlmCallFailed') return { ...u, calls: u.calls + 1, failedCalls: u.failedCalls + 1 };
  const d = event.data;
  return {
    ...u,
    calls: u.calls + 1,
    inputTokens: u.inputTokens + d.inputTokens,
    outputTokens: u.outputTokens + d.outputTokens,
    cachedInputTokens: u.cachedInputTokens + d.cachedInputTokens,
    costUsd: u.costUsd + (d.costUsd ?? 0),
    unpricedCalls: u.unpricedCalls + (d.costUsd === null ? 1 : 0),
  };
}

/** Remaining budget after what the total has used. */
function withRemaining(usage: WorkflowStatus['usage']): WorkflowStatus['usage'] {
  const { budget, total } = usage;
  return {
    ...usage,
    budget: {
      ...budget,
      remainingCostUsd: budget.maxCostUsd === null ? null : Math.max(0, budget.maxCostUsd - total.costUsd),
      remainingTokens: budget.maxTokens === null ? null : Math.max(0, budget.maxTokens - total.inputTokens - total.outputTokens),
    },
  };
}

/** The status after a model-call event: calls, tokens and cost per phase and in total; what runs; why it stopped. Pure. */
export function evolveLlmStatus(status: WorkflowStatus, event: LlmEvent): WorkflowStatus {
  const { llm, usage } = status;
  switch (event.type) {
    case 'LlmCallRequested': {
      const { callId, phase, purpose, answerFormat } = event.data;
      return { ...status, llm: { ...llm, running: { callId, phase, purpose, requestedAt: event.occurredAt, answerFormat }, stopped: null } };
    }
    case 'LlmCallSucceeded':
    case 'LlmCallFailed': {
      const d = event.data;
      const failed = event.type === 'LlmCallFailed';
      const model = d.model ?? status.model;
      const counted = withRemaining({
        ...usage,
        total: add(usage.total, event),
        byPhase: { ...usage.byPhase, [d.phase]: add(usage.byPhase[d.phase], event) },
        byModel: { ...usage.byModel, [model]: add(usage.byModel[model], event) },
      });
      // The late result of a call the workflow no longer waits for (cancelled, or sent back past
      // it) is paid for, so counted, but says nothing of the run going on now.
      if (llm.running?.callId !== d.callId) return { ...status, usage: counted };
      // Read as complete-phase takes it, for a person reviewing the answer before completing the phase.
      const answer =
        event.type === 'LlmCallSucceeded'
          ? { content: event.data.content, read: parsePhaseAnswer(llm.running.answerFormat, d.phase, event.data.content) }
          : null;
      return {
        ...status,
        usage: counted,
        llm: {
          ...llm,
          running: null,
          lastCall: {
            callId: d.callId,
            phase: d.phase,
            status: failed ? 'failed' : 'succeeded',
            content: answer?.content ?? null,
            aiResponse: answer?.read.ok ? answer.read.document : null,
            phaseResult: answer?.read.ok ? answer.read.result : null,
            errorClass: event.type === 'LlmCallFailed' ? event.data.errorClass : null,
            error: event.type === 'LlmCallFailed' ? event.data.message : null,
          },
          stopped: failed ? { reason: 'call_failed', message: `${event.data.errorClass}: ${event.data.message}` } : llm.stopped,
        },
      };
    }
    case 'BudgetExceeded': {
      return { ...status, llm: { ...llm, stopped: { reason: 'budget_exceeded', message: budgetExceededMessage(event.data) } } };
    }
    case 'PhaseOutputRejected': {
      if (event.data.willRetry) return status;
      return { ...status, llm: { ...llm, stopped: { reason: 'output_invalid', message: event.data.errors.join('; ') } } };
    }
  }
}
