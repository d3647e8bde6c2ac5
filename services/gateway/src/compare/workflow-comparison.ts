import { forkPointBody, type ComparedPhaseBody, type ComparedPhaseSideBody, type ComparedWorkflowBody, type CompareWorkflowsResponse } from '@topdog/contracts';
import { createTwoFilesPatch } from 'diff';
import { PHASE_ROWS, type PhaseAnswer, type Spend, type WorkflowAnswers } from './phase-answers';
import { resultDifferences } from './result-differences';

const spendBody = (s: Spend) => ({
  calls: s.calls,
  input_tokens: s.inputTokens,
  output_tokens: s.outputTokens,
  cost_usd: s.costUsd,
  model_time_ms: s.modelTimeMs,
});

const sideBody = (answer: PhaseAnswer | undefined): ComparedPhaseSideBody | null =>
  answer
    ? {
        ...spendBody(answer),
        ai_response: answer.aiResponse,
        phase_result: answer.phaseResult,
        model: answer.model,
        prompt_version: answer.promptVersion,
        completed_at: answer.completedAt,
        duration_ms: answer.durationMs,
        copied_from: answer.copiedFrom && { workflow_id: answer.copiedFrom.workflowId, revision: answer.copiedFrom.revision },
      }
    : null;

const workflowBody = (w: WorkflowAnswers): ComparedWorkflowBody => ({
  workflow_id: w.workflowId,
  project_id: w.projectId,
  model: w.model,
  current_state: w.currentState,
  created_at: w.createdAt,
  forked_from: w.forkedFrom && forkPointBody(w.forkedFrom),
  totals: { ...spendBody(w.totals), duration_ms: w.totals.durationMs },
});

/** A unified diff of two answers, headed with each workflow and phase; empty when they are the same. */
function answerDiff(phase: string, a: WorkflowAnswers, b: WorkflowAnswers, left: string, right: string): string {
  if (left === right) return '';
  const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  return createTwoFilesPatch(`a/${a.workflowId}/${phase}`, `b/${b.workflowId}/${phase}`, withNewline(left), withNewline(right), undefined, undefined, {
    context: 3,
  });
}

/**
 * Two workflows phase by phase: each side's answer on its path, a unified diff of the answers,
 * the structured results' differences, what each took, and totals. Pure.
 */
export function compareWorkflows(a: WorkflowAnswers, b: WorkflowAnswers): CompareWorkflowsResponse {
  const phases = PHASE_ROWS.map(({ phase, role }): ComparedPhaseBody => {
    const left = a.phases[phase];
    const right = b.phases[phase];
    const both = left && right;
    return {
      phase,
      role,
      a: sideBody(left),
      b: sideBody(right),
      same_response: both ? left.aiResponse === right.aiResponse : false,
      diff: both ? answerDiff(phase, a, b, left.aiResponse, right.aiResponse) : '',
      result_differences: both ? resultDifferences(left.phaseResult, right.phaseResult).map((d) => ({ path: d.path, a: d.a ?? null, b: d.b ?? null })) : [],
    };
  });
  return { a: workflowBody(a), b: workflowBody(b), phases };
}
