import { describe, expect, it } from 'vitest';
import { startRequestOf, type StartForm } from './start-request';

const FORM: StartForm = {
  projectId: ' web ',
  buildId: '',
  userId: 'ana',
  model: 'offline',
  requirements: 'A sign-in page',
  autoAdvance: true,
  approvals: ['DEPLOYMENT', 'PLANNING'],
  maxCostUsd: '',
  maxTokens: '',
};

describe('the start form', () => {
  it('makes the initialize request: requirements as a description, approvals in phase order, no empty fields', () => {
    expect(startRequestOf(FORM)).toEqual({
      request: {
        project_id: 'web',
        user_id: 'ana',
        model: 'offline',
        requirements: { description: 'A sign-in page' },
        auto_advance: true,
        approval_required: ['PLANNING', 'DEPLOYMENT'],
      },
    });
  });

  it('takes requirements given as a JSON object as they are, and a budget', () => {
    const built = startRequestOf({ ...FORM, requirements: '{"goal": "x", "users": 3}', maxCostUsd: '1.5', maxTokens: '20000' });
    expect(built).toMatchObject({ request: { requirements: { goal: 'x', users: 3 }, budget: { max_cost_usd: 1.5, max_tokens: 20000 } } });
    expect(startRequestOf({ ...FORM, requirements: '{not json' })).toMatchObject({ request: { requirements: { description: '{not json' } } });
  });

  it('names each field it cannot send, and why', () => {
    expect(startRequestOf({ ...FORM, projectId: ' ', maxCostUsd: '-1', maxTokens: '2.5' })).toEqual({
      errors: [
        { field: 'project_id', reason: 'required' },
        { field: 'budget.max_cost_usd', reason: 'a number above 0' },
        { field: 'budget.max_tokens', reason: 'a whole number above 0' },
      ],
    });
  });
});
