import * as z from 'zod';

/** The six phases a change walks through, in order. */
export const PHASES = ['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING', 'VERIFICATION', 'DEPLOYMENT'] as const;
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;

/** A workflow's state: one of the phases, COMPLETE once DEPLOYMENT is done, or CANCELLED (terminal). */
export const WorkflowStateName = z.enum([...PHASES, 'COMPLETE', 'CANCELLED']);
export type WorkflowStateName = z.infer<typeof WorkflowStateName>;

/** The AI roles; each owns one or more phases. */
export const ROLES = ['Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR', 'VERIFIER', 'RELEASE_MANAGER'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Which role owns which phase. */
export const PHASE_OWNER: Readonly<Record<Phase, Role>> = {
  DISCOVERY: 'Q_ASSISTANT',
  PLANNING: 'Q_ASSISTANT',
  IMPLEMENTATION: 'CODE_WRITER',
  TESTING: 'TEST_AUDITOR',
  VERIFICATION: 'VERIFIER',
  DEPLOYMENT: 'RELEASE_MANAGER',
};

/** What the owning role is asked to do in each state (the original's `next_action`). */
export const NEXT_ACTION: Readonly<Record<WorkflowStateName, string>> = {
  DISCOVERY: 'Gather requirements: clarify scope, users, constraints and acceptance criteria.',
  PLANNING: 'Create implementation plan: break the requirements into ordered, testable tasks.',
  IMPLEMENTATION: 'Implement the plan: write the code changes task by task.',
  TESTING: 'Audit and extend the tests: cover every acceptance criterion and report gaps.',
  VERIFICATION: 'Verify the change: check the implementation and tests against the requirements.',
  DEPLOYMENT: 'Release the change: prepare the rollout, release notes and rollback plan.',
  COMPLETE: 'Workflow complete: all six phases are done.',
  CANCELLED: 'Workflow cancelled: nothing more will be done.',
};

/** Whether phase `a` comes before phase `b` in the workflow's order. */
export const phaseBefore = (a: Phase, b: Phase): boolean => PHASES.indexOf(a) < PHASES.indexOf(b);
