import { WorkflowEvent, type AuditRecordBody } from '@topdog/contracts';

/** One line about an event for people: the facts an auditor looks for. */
export function describeRecord(r: AuditRecordBody): string {
  const parsed = WorkflowEvent.safeParse({ type: r.type, data: r.data });
  if (!parsed.success) return '';
  const e = parsed.data;
  switch (e.type) {
    case 'WorkflowInitialized': {
      const f = e.data.forkedFrom;
      const fork = f ? `, fork of ${f.workflowId} at revision ${f.revision} from ${f.phase}` : '';
      return `project ${e.data.projectId}, model ${e.data.model}${e.data.autoAdvance ? ', auto-advance' : ''}${fork}`;
    }
    case 'PhaseCompleted': {
      const copy = e.data.copiedFrom ? ` (copied from ${e.data.copiedFrom.workflowId} revision ${e.data.copiedFrom.revision})` : '';
      return `${e.data.phase} done by ${e.data.role} -> ${e.data.newState}${copy}`;
    }
    case 'WorkflowCompleted':
      return 'all six phases done';
    case 'LlmCallRequested':
      return `${e.data.phase} call to ${e.data.model} (${e.data.provider}), prompt ${e.data.promptVersion}`;
    case 'LlmCallSucceeded': {
      const cost = e.data.costUsd === null ? 'cost unknown' : `$${e.data.costUsd.toFixed(4)}`;
      return `${e.data.phase} answered: ${e.data.inputTokens} in / ${e.data.outputTokens} out tokens, ${cost}, ${e.data.latencyMs} ms, ${e.data.attempts} attempt(s)`;
    }
    case 'LlmCallFailed':
      return `${e.data.phase} call failed: ${e.data.errorClass}${e.data.httpStatus ? ` (HTTP ${e.data.httpStatus})` : ''} after ${e.data.attempts} attempt(s): ${e.data.message}`;
    case 'BudgetExceeded':
      return `${e.data.phase} call not made: it could pass ${e.data.limit} = ${e.data.limitValue}`;
    case 'PhaseOutputRejected':
      return `${e.data.phase} answer missed its schema${e.data.willRetry ? ', asking again' : ', stopping'}: ${e.data.errors.join('; ')}`;
    case 'ApprovalRequested':
      return `${e.data.phase} answered by ${e.data.role}${e.data.callId ? ' (model)' : ''}: awaiting approval`;
    case 'PhaseApproved':
      return `${e.data.phase} approved${e.data.comment ? `: ${e.data.comment}` : ''}`;
    case 'PhaseRejected':
      return `${e.data.phase} rejected: ${e.data.comment}`;
    case 'PhaseSentBack':
      return `sent back from ${e.data.fromState} to ${e.data.toPhase}${e.data.supersededPhases.length ? ` (superseded: ${e.data.supersededPhases.join(', ')})` : ''}: ${e.data.reason}`;
    case 'WorkflowCancelled':
      return `cancelled in ${e.data.fromState}: ${e.data.reason}`;
    default: {
      const unexpected: never = e;
      return unexpected;
    }
  }
}
