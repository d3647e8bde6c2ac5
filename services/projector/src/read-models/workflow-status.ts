import { modelsByRole, NO_USAGE, PHASE_OWNER, phaseBefore, PHASES, type WorkflowEnvelope, type WorkflowPrompts, type WorkflowStatus } from '@topdog/contracts';
import { evolveLlmStatus } from './workflow-usage';

/** Each role's prompt version (none for a workflow older than prompt versions). */
const promptVersions = (prompts: WorkflowPrompts | undefined): WorkflowStatus['promptVersions'] =>
  prompts ? Object.fromEntries(Object.entries(prompts).map(([role, p]) => [role, p.version])) : {};

/**
 * The status read model: the seed's status shape plus what ETags and read-your-writes need.
 * Pure: built only from events.
 */
export function evolveStatus(status: WorkflowStatus | undefined, event: WorkflowEnvelope): WorkflowStatus | undefined {
  const applied = { revision: event.revision, position: event.position, updatedAt: event.occurredAt };
  switch (event.type) {
    case 'WorkflowInitialized':
      return {
        workflowId: event.data.workflowId,
        projectId: event.data.projectId,
        buildId: event.data.buildId,
        userId: event.data.userId,
        currentState: event.data.initialState,
        progress: 0,
        completedPhases: [],
        nextRole: 'Q_ASSISTANT',
        isComplete: false,
        awaitingApproval: null,
        cancelled: null,
        model: event.data.model,
        models: modelsByRole(event.data.model, event.data.models),
        promptVersions: promptVersions(event.data.prompts),
        forkedFrom: event.data.forkedFrom ?? null,
        createdAt: event.occurredAt,
        ...applied,
        usage: {
          total: NO_USAGE,
          byPhase: {},
          byModel: {},
          budget: { ...event.data.budget, remainingCostUsd: event.data.budget.maxCostUsd, remainingTokens: event.data.budget.maxTokens },
        },
        llm: { autoAdvance: event.data.autoAdvance, running: null, lastCall: null, stopped: null },
      };
    case 'PhaseCompleted': {
      if (!status) return status;
      const completedPhases = [...status.completedPhases, event.data.phase];
      return {
        ...status,
        ...applied,
        currentState: event.data.newState,
        completedPhases,
        progress: completedPhases.length / PHASES.length,
        nextRole: event.data.nextRole,
        isComplete: event.data.newState === 'COMPLETE',
        // A completed phase ends whatever call it was waiting for.
        llm: { ...status.llm, running: null },
      };
    }
    case 'WorkflowCompleted':
      return status && { ...status, ...applied, currentState: 'COMPLETE', isComplete: true, nextRole: null };
    case 'ApprovalRequested':
      // The phase is answered but not done: it stays current, out of completed_phases, until approved.
      return (
        status && { ...status, ...applied, awaitingApproval: { phase: event.data.phase, requestedAt: event.occurredAt }, llm: { ...status.llm, running: null } }
      );
    case 'PhaseApproved':
    case 'PhaseRejected':
      return status && { ...status, ...applied, awaitingApproval: null };
    case 'PhaseSentBack': {
      if (!status) return status;
      const { toPhase } = event.data;
      const completedPhases = status.completedPhases.filter((p) => phaseBefore(p, toPhase));
      return {
        ...status,
        ...applied,
        currentState: toPhase,
        completedPhases,
        progress: completedPhases.length / PHASES.length,
        nextRole: PHASE_OWNER[toPhase],
        isComplete: false,
        awaitingApproval: null,
        // A running call is abandoned: its late result changes nothing.
        llm: { ...status.llm, running: null, stopped: null },
      };
    }
    case 'WorkflowCancelled':
      return (
        status && {
          ...status,
          ...applied,
          currentState: 'CANCELLED',
          nextRole: null,
          isComplete: false,
          awaitingApproval: null,
          cancelled: { reason: event.data.reason, cancelledAt: event.occurredAt },
          llm: { ...status.llm, running: null },
        }
      );
    case 'LlmCallRequested':
    case 'LlmCallSucceeded':
    case 'LlmCallFailed':
    case 'BudgetExceeded':
    case 'PhaseOutputRejected':
      return status && { ...evolveLlmStatus(status, event), ...applied };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}
