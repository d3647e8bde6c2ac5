import type { AuditRecordBody } from '@topdog/contracts';

/** One line about an event for people: the facts an auditor looks for. */
export function describeRecord(r: AuditRecordBody): string {
  const d = (r.data ?? {}) as Record<string, any>;
  switch (r.type) {
    case 'WorkflowInitialized':
      return `project ${d.projectId}, model ${d.model}${d.autoAdvance ? ', auto-advance' : ''}`;
    case 'PhaseCompleted':
      return `${d.phase} done by ${d.role} -> ${d.newState}`;
    case 'WorkflowCompleted':
      return 'all six phases done';
    case 'LlmCallRequested':
      return `${d.phase} call to ${d.model} (${d.provider}), prompt ${d.promptVersion}`;
    case 'LlmCallSucceeded':
      return `${d.phase} answered: ${d.inputTokens} in / ${d.outputTokens} out tokens, ${d.costUsd === null ? 'cost unknown' : `$${Number(d.costUsd).toFixed(4)}`}, ${d.latencyMs} ms, ${d.attempts} attempt(s)`;
    case 'LlmCallFailed':
      return `${d.phase} call failed: ${d.errorClass}${d.httpStatus ? ` (HTTP ${d.httpStatus})` : ''} after ${d.attempts} attempt(s): ${d.message}`;
    case 'BudgetExceeded':
      return `${d.phase} call not made: it could pass ${d.limit} = ${d.limitValue}`;
    case 'PhaseOutputRejected':
      return `${d.phase} answer missed its schema${d.willRetry ? ', asking again' : ', stopping'}: ${(d.errors ?? []).join('; ')}`;
    default:
      return '';
  }
}
