import { PHASES, type Phase, type Role, type WorkflowEvent, type WorkflowStateName } from '@topdog/contracts';

/** What a command applied under an idempotency key answered, to answer a retry the same. */
export type RecordedOutcome =
  | { kind: 'initialized'; requestHash: string | undefined }
  | {
      kind: 'phaseCompleted';
      requestHash: string | undefined;
      previousState: Phase;
      newState: WorkflowStateName;
      nextRole: Role | null;
    };

interface Started {
  workflowId: string;
  current: WorkflowStateName;
  completed: Phase[];
  model: string;
  /** Outcomes by idempotency key, kept for the life of the workflow (a few per phase). */
  outcomes: Readonly<Record<string, RecordedOutcome>>;
}

/** The orchestrator's view of one workflow: only what decisions need. */
export type Workflow = { status: 'empty' } | ({ status: 'active' } & Started) | ({ status: 'complete' } & Started);

export const initialState = (): Workflow => ({ status: 'empty' });

/** A workflow event with the envelope metadata evolve reads. */
export type WorkflowEventWithMetadata = WorkflowEvent & { metadata?: { idempotencyKey?: string; requestHash?: string } };

/** The state after one more event. Pure: no clock, no I/O. */
export function evolve(state: Workflow, event: WorkflowEventWithMetadata): Workflow {
  const key = event.metadata?.idempotencyKey;
  const requestHash = event.metadata?.requestHash;
  switch (event.type) {
    case 'WorkflowInitialized':
      return {
        status: 'active',
        workflowId: event.data.workflowId,
        current: event.data.initialState,
        completed: [],
        model: event.data.model,
        outcomes: key ? { [key]: { kind: 'initialized', requestHash } } : {},
      };
    case 'PhaseCompleted': {
      if (state.status === 'empty') return state;
      const { previousState, newState, nextRole } = event.data;
      return {
        ...state,
        status: newState === 'COMPLETE' ? 'complete' : 'active',
        current: newState,
        completed: [...state.completed, event.data.phase],
        outcomes: key
          ? { ...state.outcomes, [key]: { kind: 'phaseCompleted', requestHash, previousState, newState, nextRole } }
          : state.outcomes,
      };
    }
    case 'WorkflowCompleted':
      return state.status === 'empty' ? state : { ...state, status: 'complete', current: 'COMPLETE' };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

/** The state after a phase: the next phase, or COMPLETE after the last. */
export function stateAfter(phase: Phase): WorkflowStateName {
  return PHASES[PHASES.indexOf(phase) + 1] ?? 'COMPLETE';
}
