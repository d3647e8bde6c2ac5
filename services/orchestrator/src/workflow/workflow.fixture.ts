import { type TopDogError, type ErrorCode } from '@topdog/contracts';
import { loadPromptLibrary } from '@topdog/prompts';
import type { Decider } from '@topdog/testing/decider-specification';
import { expect } from 'vitest';
import type { DecisionContext } from './decision-context';
import { decide, type WorkflowDecision } from './workflow.decide';
import { evolve, initialState, type Workflow, type WorkflowEventWithMetadata } from './workflow.state';

/** For tests: one workflow id, a decision context, and the workflow's decider with that context. */
export const workflowId = '0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b';

const prompts = loadPromptLibrary();

/**
 * openai and offline configured, anthropic and local not; one repair per phase; answers asked for
 * as fenced blocks, but from offline and openai's models that have a structured-output mode.
 */
export const testContext: DecisionContext = {
  prompts,
  maxRepairs: 1,
  providers: { openai: null, anthropic: 'ANTHROPIC_API_KEY', local: 'LOCAL_LLM_BASE_URL', offline: null },
  structuredOutput: { openai: true, anthropic: false, local: false, offline: true },
};

export const workflowDecider = (context: DecisionContext = testContext): Decider<WorkflowDecision, WorkflowEventWithMetadata, Workflow> => ({
  decide: (command, state) => decide(command, state, context),
  evolve,
  initialState,
});

type InitializeDecision = Extract<WorkflowDecision, { type: 'InitializeWorkflow' }>;

/** Starting the test workflow (or the one `extra.workflowId` names), with any setting changed. */
export const initializeDecision = (extra: Partial<InitializeDecision['data']> = {}): InitializeDecision => ({
  type: 'InitializeWorkflow',
  data: {
    workflowId,
    projectId: 'p',
    buildId: null,
    userId: 'u',
    requirements: { goal: 'search' },
    model: 'gpt-4',
    temperature: 0.2,
    maxTokens: 1000,
    autoAdvance: false,
    budget: { maxCostUsd: null, maxTokens: null },
    ...extra,
  },
});

/** A `thenThrows` check: a TopDogError with this code (and a message matching). */
export const withCode =
  (code: ErrorCode, message?: RegExp) =>
  (error: TopDogError): void =>
    expect(error).toMatchObject({ code, ...(message ? { message: expect.stringMatching(message) as unknown } : {}) });
