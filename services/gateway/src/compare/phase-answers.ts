import { PHASE_OWNER, PHASES, type CopiedFrom, type ForkPoint, type Phase, type Role, type WorkflowEnvelope, type WorkflowStateName } from '@topdog/contracts';

/** What one phase's model calls took, summed over every call made for it (repairs and re-runs included). */
export interface Spend {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Null once any call had no price. */
  costUsd: number | null;
  modelTimeMs: number;
}

/** A phase's answer on the workflow's path, with what it took. */
export interface PhaseAnswer extends Spend {
  phase: Phase;
  role: Role;
  aiResponse: string;
  phaseResult: Record<string, unknown>;
  model: string | null;
  promptVersion: string | null;
  completedAt: string;
  durationMs: number;
  /** A fork's copy of its parent's answer: the parent and the revision copied. */
  copiedFrom: CopiedFrom | null;
}

/** One workflow as a comparison reads it from its events. */
export interface WorkflowAnswers {
  workflowId: string;
  projectId: string;
  model: string;
  currentState: WorkflowStateName;
  createdAt: string;
  forkedFrom: ForkPoint | null;
  phases: Partial<Record<Phase, PhaseAnswer>>;
  totals: Spend & { durationMs: number };
}

const noSpend = (): Spend => ({ calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, modelTimeMs: 0 });

const ms = (from: string, to: string): number => Math.max(0, Date.parse(to) - Date.parse(from));

function addCall(spend: Spend, call: { inputTokens: number; outputTokens: number; costUsd: number | null; latencyMs: number }): Spend {
  return {
    calls: spend.calls + 1,
    inputTokens: spend.inputTokens + call.inputTokens,
    outputTokens: spend.outputTokens + call.outputTokens,
    costUsd: spend.costUsd === null || call.costUsd === null ? null : spend.costUsd + call.costUsd,
    modelTimeMs: spend.modelTimeMs + call.latencyMs,
  };
}

/**
 * Each phase's answer on the workflow's current path (a phase sent back drops out until it is
 * answered again; a held answer counts once approved), with what every call made for the phase
 * took (re-runs included) and how long it was open, from its opening to its completion. Pure:
 * the events in stream order in, the answers out. Undefined when the events do not start with
 * the workflow's initialization.
 */
export function phaseAnswers(events: readonly WorkflowEnvelope[]): WorkflowAnswers | undefined {
  const [first] = events;
  if (first?.type !== 'WorkflowInitialized') return undefined;
  const init = first.data;
  const spendByPhase = new Map<Phase, Spend>();
  const lastCall = new Map<Phase, { model: string; promptVersion: string }>();
  const phases: Partial<Record<Phase, PhaseAnswer>> = {};
  let total = noSpend();
  let currentState: WorkflowStateName = init.initialState;
  let openedAt = first.occurredAt;
  let lastAt = first.occurredAt;

  for (const event of events.slice(1)) {
    lastAt = event.occurredAt;
    switch (event.type) {
      case 'LlmCallRequested':
        lastCall.set(event.data.phase, { model: event.data.model, promptVersion: event.data.promptVersion });
        break;
      case 'LlmCallSucceeded': {
        const d = event.data;
        spendByPhase.set(d.phase, addCall(spendByPhase.get(d.phase) ?? noSpend(), d));
        total = addCall(total, d);
        break;
      }
      case 'PhaseCompleted': {
        const d = event.data;
        const call = lastCall.get(d.phase);
        phases[d.phase] = {
          phase: d.phase,
          role: d.role,
          aiResponse: d.aiResponse,
          phaseResult: d.phaseResult,
          model: call?.model ?? null,
          promptVersion: call?.promptVersion ?? null,
          completedAt: event.occurredAt,
          durationMs: ms(openedAt, event.occurredAt),
          copiedFrom: d.copiedFrom ?? null,
          ...(spendByPhase.get(d.phase) ?? noSpend()),
        };
        currentState = d.newState;
        openedAt = event.occurredAt;
        break;
      }
      case 'PhaseSentBack':
        // The re-opened phase and those after it no longer count: their answers leave the path.
        for (const phase of event.data.supersededPhases) delete phases[phase];
        currentState = event.data.toPhase;
        openedAt = event.occurredAt;
        break;
      case 'WorkflowCompleted':
        currentState = 'COMPLETE';
        break;
      case 'WorkflowCancelled':
        currentState = 'CANCELLED';
        break;
      default:
        break;
    }
  }
  return {
    workflowId: init.workflowId,
    projectId: init.projectId,
    model: init.model,
    currentState,
    createdAt: first.occurredAt,
    forkedFrom: init.forkedFrom ?? null,
    phases,
    totals: { ...total, durationMs: ms(first.occurredAt, lastAt) },
  };
}

/** Every phase in order, with its owner: the rows of a comparison. */
export const PHASE_ROWS: readonly { phase: Phase; role: Role }[] = PHASES.map((phase) => ({ phase, role: PHASE_OWNER[phase] }));
