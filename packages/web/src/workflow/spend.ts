import type { PhaseSpend } from './workflow-view';

/** What all the phases' calls spent together. */
export function totalSpend(spend: readonly PhaseSpend[]): Omit<PhaseSpend, 'phase'> {
  return spend.reduce(
    (t, s) => ({
      calls: t.calls + s.calls,
      inputTokens: t.inputTokens + s.inputTokens,
      outputTokens: t.outputTokens + s.outputTokens,
      costUsd: t.costUsd + s.costUsd,
      unpricedCalls: t.unpricedCalls + s.unpricedCalls,
    }),
    { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedCalls: 0 },
  );
}
