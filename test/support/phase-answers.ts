import { PHASES, type Phase } from '@topdog/contracts';

const RESULTS: Record<Phase, object> = {
  DISCOVERY: { summary: 'Requirements', requirements: ['Search by title'], acceptance_criteria: ['A title search finds the item'], open_questions: [] },
  PLANNING: { summary: 'Plan', tasks: [{ title: 'Index titles', description: 'Add a title index' }] },
  IMPLEMENTATION: { summary: 'Code', changes: [{ path: 'src/search.ts', description: 'Title search' }] },
  TESTING: { summary: 'Tests', tests: [{ name: 'finds by title', covers: 'A title search finds the item' }], gaps: [] },
  VERIFICATION: { summary: 'Verified', verdict: 'pass', findings: [] },
  DEPLOYMENT: { summary: 'Release', rollout: ['staging', 'production'], rollback: 'redeploy previous', release_notes: 'Title search' },
};

/** The phase a model request is for: the last "Phase X" its messages name. */
export function phaseOf(body: Record<string, unknown>): Phase {
  const messages = (body.messages as { content: string }[] | undefined) ?? [];
  for (const m of [...messages].reverse()) {
    const match = /Phase (\w+):/.exec(m.content);
    if (match && (PHASES as readonly string[]).includes(match[1]!)) return match[1] as Phase;
  }
  throw new Error('no phase in the request');
}

/** A model answer that meets the phase's output schema, as a fake provider gives it. */
export const phaseAnswer = (body: Record<string, unknown>): string => {
  const phase = phaseOf(body);
  return `Answer for ${phase}.\n\n\`\`\`json\n${JSON.stringify(RESULTS[phase])}\n\`\`\`\n`;
};
