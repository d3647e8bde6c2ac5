import {
  requireVisible,
  TopDogError,
  type ProjectScope,
  WorkflowEnvelope,
  workflowStreamId,
  type AiPrompt,
  type GetAiPrompt,
  type GetWorkflowStatus,
  type ListWorkflows,
  type WorkflowPage,
  type WorkflowStatus,
} from '@topdog/contracts';
import type { EventStore, StoredEvent } from '@topdog/event-store';
import { buildPrompt, type PromptLibrary } from '@topdog/prompts';
import { evolvePromptView, type PromptView } from '../read-models/prompt-context';
import { evolveStatus } from '../read-models/workflow-status';
import type { ReadModelStore } from './read-model-store';
import type { WorkflowProjection } from './workflow-projection';

export interface ProjectorQueriesDeps {
  projection: WorkflowProjection;
  store: ReadModelStore;
  events: EventStore;
  prompts: PromptLibrary;
  /** How long a query waits for this instance to catch up or reach `minPosition`. */
  consistencyTimeoutMs: number;
}

/** The projector's queries, answered from its read models. */
export function createProjectorQueries(deps: ProjectorQueriesDeps) {
  const { projection, store, events, prompts, consistencyTimeoutMs } = deps;

  async function consistent(minPosition: number | undefined): Promise<void> {
    if (!(await projection.waitUntilCaughtUp(consistencyTimeoutMs))) {
      throw new TopDogError('UNAVAILABLE', 'the projector is still catching up; retry shortly');
    }
    if (minPosition !== undefined && !(await projection.tracker.waitFor(minPosition, consistencyTimeoutMs))) {
      throw new TopDogError('UNAVAILABLE', `the projector has not reached position ${minPosition} yet; retry shortly`);
    }
  }

  /** Another project's workflow is not found, exactly as an unknown one: its existence is not revealed. */
  function visible(workflowId: string, found: WorkflowStatus | undefined, projects: ProjectScope): WorkflowStatus {
    return requireVisible(projects, workflowId, found);
  }

  async function status(workflowId: string, projects: ProjectScope): Promise<WorkflowStatus> {
    return visible(workflowId, await store.getStatus(workflowId), projects);
  }

  /** A read model folded from a workflow's stored events; NOT_FOUND when they fold to nothing. */
  function fold<M>(workflowId: string, stored: readonly StoredEvent[], evolve: (model: M | undefined, event: WorkflowEnvelope) => M | undefined): M {
    let model: M | undefined;
    for (const raw of stored) model = evolve(model, WorkflowEnvelope.parse(raw));
    if (!model) throw new TopDogError('NOT_FOUND', `workflow ${workflowId} not found`);
    return model;
  }

  /** Time travel: the status folded from the stream's first `revision + 1` events (the store, not the read model). */
  async function statusAt(workflowId: string, revision: number, projects: ProjectScope): Promise<WorkflowStatus> {
    const stored = await events.readStream(workflowStreamId(workflowId), { maxCount: revision + 1 });
    if (stored.length === 0) throw new TopDogError('NOT_FOUND', `workflow ${workflowId} not found`);
    visible(workflowId, fold(workflowId, stored.slice(0, 1), evolveStatus), projects);
    if (stored.length <= revision) {
      throw new TopDogError('NOT_FOUND', `workflow ${workflowId} has revisions 0 to ${stored.length - 1}`, [
        { field: 'at', reason: `no revision ${revision}: the latest is ${stored.length - 1}` },
      ]);
    }
    return fold(workflowId, stored, evolveStatus);
  }

  /** The prompt view at the status's revision: from memory, or folded from the stream. */
  async function promptView(workflowId: string, revision: number): Promise<PromptView> {
    const cached = projection.prompts.upTo(workflowId, revision);
    if (cached) return cached;
    const view = fold(workflowId, await events.readStream(workflowStreamId(workflowId)), evolvePromptView);
    projection.prompts.remember(workflowId, view);
    return view;
  }

  return {
    async getStatus(query: GetWorkflowStatus): Promise<WorkflowStatus> {
      if (query.atRevision !== undefined) return statusAt(query.workflowId, query.atRevision, query.projects);
      await consistent(query.minPosition);
      return status(query.workflowId, query.projects);
    },

    /** A page of the listing, from this instance's in-memory index. */
    async listWorkflows(query: ListWorkflows): Promise<WorkflowPage> {
      await consistent(query.minPosition);
      return projection.listing.page(query);
    },

    async getPrompt(query: GetAiPrompt): Promise<AiPrompt> {
      await consistent(query.minPosition);
      const current = await status(query.workflowId, query.projects);
      if (current.isComplete || current.currentState === 'CANCELLED') {
        throw new TopDogError('CONFLICT', `workflow ${query.workflowId} is ${current.currentState}: no phase is waiting for a prompt`);
      }
      const view = await promptView(query.workflowId, current.revision);
      return buildPrompt(view.context, prompts);
    },
  };
}
export type ProjectorQueries = ReturnType<typeof createProjectorQueries>;
