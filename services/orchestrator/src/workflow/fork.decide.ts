import {
  phaseBefore,
  modelForPhase,
  PHASES,
  TopDogError,
  type ForkWorkflow,
  type Phase,
  type WorkflowEnvelope,
  type WorkflowEvent,
  type WorkflowInitialized,
} from '@topdog/contracts';
import { withOverrides } from '@topdog/prompts';
import type { DecisionContext } from './decision-context';
import { checkModel, checkProvider, thenRun } from './llm-calls.decide';
import { visibleTo } from './visibility';
import { finishPhaseEvents } from './phase-completion';
import { evolve, initialState, type StartedWorkflow, type Workflow } from './workflow.state';

/** What a fork copies from its parent, read from the parent's stream before deciding. */
export interface ForkSource {
  /** The parent as its events left it. */
  workflow: Workflow;
  /** The parent's first event: the settings the fork starts from. */
  initialized: WorkflowInitialized['data'] | undefined;
  /** The parent's revision and the hash of its event there: the fork point. */
  revision: number;
  hash: string | null;
  /** The revision of each answer on the parent's current path (its PhaseCompleted). */
  answeredAt: Partial<Record<Phase, number>>;
}

/**
 * The parent's stream folded for a fork: its state and, for each phase it has completed, the
 * revision of its last PhaseCompleted. A phase on the current path was last completed by the
 * answer the path holds (a send-back re-opens it, and completing it again records the new one),
 * so `evolve` alone decides which phases are copied. Pure.
 */
export function forkSourceOf(events: readonly WorkflowEnvelope[], hash: string | null): ForkSource {
  let workflow = initialState();
  const answeredAt: Partial<Record<Phase, number>> = {};
  for (const event of events) {
    workflow = evolve(workflow, event);
    if (event.type === 'PhaseCompleted') answeredAt[event.data.phase] = event.revision;
  }
  const first = events[0];
  return {
    workflow,
    initialized: first?.type === 'WorkflowInitialized' ? first.data : undefined,
    revision: events.at(-1)?.revision ?? -1,
    hash,
    answeredAt,
  };
}

export type ForkDecision = ForkWorkflow['data'] & { source: ForkSource };

/**
 * Starts a fork: a WorkflowInitialized naming the parent and the fork point, with the parent's
 * settings and prompts except those the command replaces; a copy of each of the parent's answers
 * before `fromPhase` (naming the event it copies; no model call); and, when the parent
 * auto-advanced, the model call for `fromPhase`.
 */
export function forkWorkflow(command: ForkDecision, state: Workflow, context: DecisionContext): WorkflowEvent[] {
  const { source } = command;
  const parent: StartedWorkflow = visibleTo(command.projects, command.parentWorkflowId, source.workflow);
  if (!source.initialized || source.hash === null) throw new Error(`workflow ${command.parentWorkflowId} has no WorkflowInitialized to fork from`);
  if (state.status !== 'empty') throw new TopDogError('CONFLICT', `workflow ${command.workflowId} already exists`);
  const copied = parent.phases.filter((p) => phaseBefore(p.phase, command.fromPhase));
  const missing = PHASES.filter((p) => phaseBefore(p, command.fromPhase) && !copied.some((c) => c.phase === p));
  if (missing.length > 0) {
    const held = parent.awaiting ? ` (${parent.awaiting.phase} awaits approval)` : '';
    throw new TopDogError(
      'CONFLICT',
      `workflow ${command.parentWorkflowId} has not completed ${missing.join(', ')}: it cannot be forked from ${command.fromPhase}`,
      [{ field: 'from_phase', reason: `the parent's completed phases are ${parent.phases.map((p) => p.phase).join(', ') || 'none'}${held}` }],
    );
  }
  const model = command.model ?? parent.settings.model;
  checkModel(model, parent.settings.budget, { unpriced: { field: 'model', reason: "the parent's cost budget (max_cost_usd) needs a model with a price" } });
  if (parent.settings.autoAdvance) {
    // Every model the fork will call, from from_phase on (a role may have its own), must be callable.
    const calls = PHASES.filter((p) => !phaseBefore(p, command.fromPhase)).map((p) => modelForPhase(model, parent.settings.models, p));
    for (const name of new Set(calls)) checkProvider(name, context);
  }

  const initialized: WorkflowEvent = {
    type: 'WorkflowInitialized',
    data: {
      workflowId: command.workflowId,
      projectId: parent.projectId,
      buildId: source.initialized.buildId,
      userId: source.initialized.userId,
      requirements: command.requirements ?? parent.requirements,
      initialState: 'DISCOVERY',
      model,
      temperature: parent.settings.temperature,
      maxTokens: parent.settings.maxTokens,
      autoAdvance: parent.settings.autoAdvance,
      budget: parent.settings.budget,
      approvalRequired: [...parent.settings.approvalRequired],
      models: parent.settings.models,
      fallbackModels: parent.settings.fallbackModels,
      prompts: withOverrides(parent.prompts ?? context.prompts, command.rolePrompts),
      forkedFrom: { workflowId: parent.workflowId, phase: command.fromPhase, revision: source.revision, hash: source.hash },
    },
  };
  const fork = evolve(initialState(), initialized) as StartedWorkflow;
  // Phases before fromPhase, so never the last: each copy is one PhaseCompleted.
  const copies = copied.flatMap((p) => {
    const revision = source.answeredAt[p.phase];
    if (revision === undefined) throw new Error(`no PhaseCompleted found for ${p.phase} on ${command.parentWorkflowId}'s path`);
    return finishPhaseEvents(fork, p.phase, p.aiResponse, p.phaseResult, { workflowId: parent.workflowId, revision });
  });
  return [initialized, ...thenRun(fork, copies, command.firstCallId, context)];
}
