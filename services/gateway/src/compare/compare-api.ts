import { TopDogError, WorkflowEnvelope, workflowStreamId, type CompareWorkflowsResponse, type ProjectScope } from '@topdog/contracts';
import type { EventStore } from '@topdog/event-store';
import { assertVisible } from '../workflows/workflow-visibility';
import { phaseAnswers, type WorkflowAnswers } from './phase-answers';
import { compareWorkflows } from './workflow-comparison';

/** Comparisons read straight from the event store: each workflow's whole record, as the audit does. */
export function createCompareApi(store: EventStore) {
  async function answersOf(workflowId: string, projects: ProjectScope, field: 'a' | 'b'): Promise<WorkflowAnswers> {
    await assertVisible(store, workflowId, projects).catch((err: unknown) => {
      if (err instanceof TopDogError && err.code === 'NOT_FOUND') {
        throw new TopDogError('NOT_FOUND', `workflow ${workflowId} not found`, [{ field, reason: 'no such workflow in your projects' }]);
      }
      throw err;
    });
    const events = (await store.readStream(workflowStreamId(workflowId))).flatMap((raw) => {
      // An event type this gateway does not know (a newer writer) takes no part in the comparison.
      const parsed = WorkflowEnvelope.safeParse(raw);
      return parsed.success ? [parsed.data] : [];
    });
    const answers = phaseAnswers(events);
    if (!answers) throw new TopDogError('NOT_FOUND', `workflow ${workflowId} not found`, [{ field, reason: 'no such workflow in your projects' }]);
    return answers;
  }

  return {
    async compare(a: string, b: string, projects: ProjectScope): Promise<CompareWorkflowsResponse> {
      const [left, right] = await Promise.all([answersOf(a, projects, 'a'), answersOf(b, projects, 'b')]);
      return compareWorkflows(left, right);
    },
  };
}
export type CompareApi = ReturnType<typeof createCompareApi>;
