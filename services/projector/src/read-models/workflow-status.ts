import { PHASES, type WorkflowEnvelope, type WorkflowStatus } from '@topdog/contracts';

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
        currentState: event.data.initialState,
        progress: 0,
        completedPhases: [],
        nextRole: 'Q_ASSISTANT',
        isComplete: false,
        model: event.data.model,
        createdAt: event.occurredAt,
        ...applied,
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
      };
    }
    case 'WorkflowCompleted':
      return status && { ...status, ...applied, currentState: 'COMPLETE', isComplete: true, nextRole: null };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}
