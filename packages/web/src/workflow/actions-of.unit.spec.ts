import type { Phase } from '@topdog/contracts';
import { describe, expect, it } from 'vitest';
import { actionsOf } from './actions-of';
import { emptyView, type WorkflowView } from './workflow-view';

const viewAt = (state: WorkflowView['state'], done: Phase[], extra: Partial<WorkflowView> = {}): WorkflowView => {
  const view = emptyView();
  return { ...view, state, phases: view.phases.map((p) => ({ ...p, completedAt: done.includes(p.phase) ? '2026-12-05T10:00:00Z' : null })), ...extra };
};
const running = { callId: 'c', phase: 'PLANNING' as const, model: 'offline', requestedAt: '2026-12-05T10:00:00Z' };

describe('actionsOf', () => {
  it('offers nothing before the first event', () => {
    expect(actionsOf(emptyView())).toEqual({ phase: null, run: false, decide: null, sendBackTo: [], forkFrom: [], cancel: false });
  });

  it('in a phase: run it unless a call runs or an answer is held; send back to earlier phases; fork up to it', () => {
    expect(actionsOf(viewAt('PLANNING', ['DISCOVERY']))).toEqual({
      phase: 'PLANNING',
      run: true,
      decide: null,
      sendBackTo: ['DISCOVERY'],
      forkFrom: ['DISCOVERY', 'PLANNING'],
      cancel: true,
    });
    expect(actionsOf(viewAt('PLANNING', ['DISCOVERY'], { running })).run).toBe(false);
    expect(actionsOf(viewAt('PLANNING', ['DISCOVERY'], { awaitingApproval: 'PLANNING' }))).toMatchObject({ run: false, decide: 'PLANNING' });
    expect(actionsOf(viewAt('DISCOVERY', [])).sendBackTo).toEqual([]);
  });

  it('once ended: only fork (from any phase done); nothing to run, decide, send back or cancel', () => {
    expect(actionsOf(viewAt('COMPLETE', ['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING', 'VERIFICATION', 'DEPLOYMENT']))).toMatchObject({
      phase: null,
      run: false,
      decide: null,
      sendBackTo: [],
      cancel: false,
      forkFrom: ['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING', 'VERIFICATION', 'DEPLOYMENT'],
    });
    expect(actionsOf(viewAt('CANCELLED', ['DISCOVERY'])).forkFrom).toEqual(['DISCOVERY', 'PLANNING']);
  });
});
