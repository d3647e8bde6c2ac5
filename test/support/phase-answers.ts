import { PHASES, type Phase } from '@topdog/contracts';
import { examplePhaseResult } from '@topdog/prompts';
import { requestedSchema } from '@topdog/testing';

/** The phase a model request is for: the last "Phase X" its messages name. */
export function phaseOf(body: Record<string, unknown>): Phase {
  const messages = (body.messages as { content: string }[] | undefined) ?? [];
  for (const m of [...messages].reverse()) {
    const match = /Phase (\w+):/.exec(m.content);
    if (match && (PHASES as readonly string[]).includes(match[1]!)) return match[1] as Phase;
  }
  throw new Error('no phase in the request');
}

/** The document of a phase's answer, as the fake providers write it. */
export const phaseDocument = (phase: Phase): string => `# ${phase}\n\nAnswer for ${phase}: the "details" — in *markdown*.`;

/**
 * A model answer that meets the phase's output schema, as a fake provider gives it: one JSON
 * object `{document, result}` when the request asks for structured output, else the document
 * ending with a fenced JSON block.
 */
export const phaseAnswer = (body: Record<string, unknown>): string => {
  const phase = phaseOf(body);
  const result = examplePhaseResult(phase, 'e2e');
  if (requestedSchema(body)) return JSON.stringify({ document: phaseDocument(phase), result });
  return `${phaseDocument(phase)}\n\n\`\`\`json\n${JSON.stringify(result)}\n\`\`\`\n`;
};
