import { NEXT_ACTION, PHASE_OWNER, type AiPrompt, type ChatMessage, type Phase } from '@topdog/contracts';
import { outputJsonSchema } from './output-schemas';
import type { PromptContext } from './prompt-context';
import type { PromptLibrary } from './prompt-library';

/** The user turn that opens a phase: what the owning role is asked to do now. */
export function phaseInstruction(phase: Phase): string {
  return `Phase ${phase}: ${NEXT_ACTION[phase]}`;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function systemMessage(ctx: PromptContext, phase: Phase, library: PromptLibrary): string {
  const role = PHASE_OWNER[phase];
  const parts = [
    library[role].text,
    '## Orchestration context',
    `Workflow: ${ctx.workflowId}\nCurrent state: ${phase}\nYour role: ${role}\nNext action: ${NEXT_ACTION[phase]}`,
    '## Requirements',
    json(ctx.requirements),
    '## Structured result',
    `End your answer with one fenced \`\`\`json block holding an object that matches this JSON Schema:\n${json(outputJsonSchema(phase))}`,
  ];
  if (ctx.phases.length > 0) {
    parts.push('## Earlier phase results', ctx.phases.map((p) => `### ${p.phase} (${p.role})\n${json(p.phaseResult)}`).join('\n\n'));
  }
  return parts.join('\n\n');
}

/**
 * The request a model is sent for the workflow's current phase: a system message (role
 * prompt, current state, requirements, earlier results), then the role's own history as
 * instruction/answer pairs, then the current phase's instruction. The gateway's get-ai-prompt
 * and the llm-runner both use this, so what one shows is what the other sends.
 */
export function buildPrompt(ctx: PromptContext, library: PromptLibrary): AiPrompt {
  if (ctx.state === 'COMPLETE') {
    throw new RangeError('a complete workflow has no prompt');
  }
  const phase = ctx.state;
  const role = PHASE_OWNER[phase];
  const history: ChatMessage[] = ctx.phases
    .filter((p) => p.role === role)
    .flatMap((p) => [
      { role: 'user' as const, content: phaseInstruction(p.phase) },
      { role: 'assistant' as const, content: p.aiResponse },
    ]);
  return {
    workflowId: ctx.workflowId,
    state: phase,
    role,
    model: ctx.model,
    messages: [{ role: 'system', content: systemMessage(ctx, phase, library) }, ...history, { role: 'user', content: phaseInstruction(phase) }],
    temperature: ctx.temperature,
    maxTokens: ctx.maxTokens,
    promptVersion: library[role].version,
  };
}

/**
 * The messages that ask again after an answer missed its phase's schema: the request as sent,
 * the answer, and the validation errors.
 */
export function repairMessages(sent: readonly ChatMessage[], answer: string, errors: readonly string[]): ChatMessage[] {
  return [
    ...sent,
    { role: 'assistant', content: answer },
    {
      role: 'user',
      content: `Your structured result did not match the required schema:\n${errors.map((e) => `- ${e}`).join('\n')}\nAnswer again in full, ending with one corrected fenced \`\`\`json block.`,
    },
  ];
}
