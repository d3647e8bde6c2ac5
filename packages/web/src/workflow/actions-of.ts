import { PHASES, type Phase } from '@topdog/contracts';
import type { WorkflowView } from './workflow-view';

/** What a person may do with a workflow now, as its events tell it (the service decides again). */
export interface AvailableActions {
  /** The phase the workflow is in (null once COMPLETE or CANCELLED, or before its first event). */
  phase: Phase | null;
  /** Run the current phase's model call: nothing running, nothing held for approval. */
  run: boolean;
  /** The phase whose answer waits for approve or reject. */
  decide: Phase | null;
  /** The earlier phases it may be sent back to. */
  sendBackTo: Phase[];
  /** The phases a fork may run anew from: every phase before one must be done here. */
  forkFrom: Phase[];
  cancel: boolean;
}

export function actionsOf(view: WorkflowView): AvailableActions {
  const phase = view.state !== null && (PHASES as readonly string[]).includes(view.state) ? (view.state as Phase) : null;
  const firstOpen = view.phases.findIndex((p) => p.completedAt === null);
  return {
    phase,
    run: phase !== null && view.running === null && view.awaitingApproval === null,
    decide: phase !== null ? view.awaitingApproval : null,
    sendBackTo: phase ? PHASES.slice(0, PHASES.indexOf(phase)) : [],
    forkFrom: view.state === null ? [] : firstOpen === -1 ? [...PHASES] : PHASES.slice(0, firstOpen + 1),
    cancel: phase !== null,
  };
}
