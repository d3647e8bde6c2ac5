import { PHASES, type Phase } from '@topdog/contracts';
import { examplePhaseResult } from '@topdog/prompts';

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
  return `Answer for ${phase}.\n\n\`\`\`json\n${JSON.stringify(examplePhaseResult(phase, 'e2e'))}\n\`\`\`\n`;
};
