import {
  TopDogError,
  WorkflowEnvelope,
  workflowStreamId,
  type AiPrompt,
  type GetAiPrompt,
  type GetWorkflowStatus,
  type WorkflowStatus,
} from '@topdog/contracts';
import type { EventStore } from '@topdog/event-store';
import { buildPrompt, type PromptLibrary } from '@topdog/prompts';
import { evolvePromptView, type PromptView } from '../read-models/prompt-context';
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

  async function status(workflowId: string): Promise<WorkflowStatus> {
    const found = await store.getStatus(workflowId);
    if (!found) throw new TopDogError('NOT_FOUND', `workflow ${workflowId} not found`);
    return found;
  }

  /** The prompt view at the status's revision: from memory, or folded from the stream. */
  async function promptView(workflowId: string, revision: number): Promise<PromptView> {
    const cached = projection.prompts.get(workflowId);
    if (cached && cached.revision >= revision) return cached;
    let view: PromptView | undefined;
    for (const raw of await events.readStream(workflowStreamId(workflowId))) {
      view = evolvePromptView(view, WorkflowEnvelope.parse(raw));
    }
    if (!view) throw new TopDogError('NOT_FOUND', `workflow ${workflowId} not found`);
    projection.prompts.set(workflowId, view);
    return view;
  }

  return {
    async getStatus(query: GetWorkflowStatus): Promise<WorkflowStatus> {
      await consistent(query.minPosition);
      return status(query.workflowId);
    },

    async getPrompt(query: GetAiPrompt): Promise<AiPrompt> {
      await consistent(query.minPosition);
      const current = await status(query.workflowId);
      if (current.isComplete) {
        throw new TopDogError('CONFLICT', `workflow ${query.workflowId} is COMPLETE: no phase is waiting for a prompt`);
      }
      const view = await promptView(query.workflowId, current.revision);
      return buildPrompt(view.context, prompts);
    },
  };
}
export type ProjectorQueries = ReturnType<typeof createProjectorQueries>;
