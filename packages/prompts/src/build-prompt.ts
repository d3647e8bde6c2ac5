import { modelForPhase, NEXT_ACTION, PHASE_OWNER, type AiPrompt, type AnswerFormat, type ChatMessage, type Phase } from '@topdog/contracts';
import { outputJsonSchema } from './output-schemas';
import type { PhaseFeedback, PromptContext } from './prompt-context';
import type { PromptLibrary } from './prompt-library';

/** The user turn that opens a phase: what the owning role is asked to do now. */
export function phaseInstruction(phase: Phase): string {
  return `Phase ${phase}: ${NEXT_ACTION[phase]}`;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** How the answer is to be given: one JSON object in structured mode, else text ending in a fenced block. */
function answerFormatInstruction(format: AnswerFormat, phase: Phase): string {
  const schema = json(outputJsonSchema(phase));
  return format === 'structured'
    ? `Answer with one JSON object: \`document\` holds your whole answer for a person to read, in markdown, and \`result\` your structured result, an object that matches this JSON Schema:\n${schema}`
    : `End your answer with one fenced \`\`\`json block holding an object that matches this JSON Schema:\n${schema}`;
}

const REQUIREMENTS_HEADING = '## Requirements';

/**
 * A call's system message. It opens with the workflow's requirements, the part every call of
 * the workflow shares (see `splitSharedContext`), then the role prompt, the phase, the answer
 * format, and the earlier results, which change from phase to phase.
 */
function systemMessage(ctx: PromptContext, phase: Phase, library: PromptLibrary): string {
  const role = PHASE_OWNER[phase];
  const parts = [
    `${REQUIREMENTS_HEADING}\n${json(ctx.requirements)}`,
    library[role].text,
    '## Orchestration context',
    `Workflow: ${ctx.workflowId}\nCurrent state: ${phase}\nYour role: ${role}\nNext action: ${NEXT_ACTION[phase]}`,
    '## Structured result',
    answerFormatInstruction(ctx.answerFormat ?? 'fenced', phase),
  ];
  if (ctx.phases.length > 0) {
    parts.push('## Earlier phase results', ctx.phases.map((p) => `### ${p.phase} (${p.role})\n${json(p.phaseResult)}`).join('\n\n'));
  }
  return parts.join('\n\n');
}

/**
 * A system message cut where what every call of the workflow shares ends: its opening
 * requirements section (pretty-printed JSON holds no blank line, so the first blank line ends
 * it), and the rest. Providers whose prompt cache needs marking get the shared part marked; a
 * system message that does not open with the requirements is all `rest`. Pure.
 */
export function splitSharedContext(system: string): { shared: string; rest: string } {
  const end = system.indexOf('\n\n');
  if (!system.startsWith(`${REQUIREMENTS_HEADING}\n`) || end < 0) return { shared: '', rest: system };
  return { shared: system.slice(0, end), rest: system.slice(end + 2) };
}

/** How a person's feedback reads in the role's conversation. */
export function feedbackText(f: PhaseFeedback): string {
  return f.kind === 'rejected'
    ? `Reviewer feedback: your answer above was rejected.\n${f.comment}`
    : `Reviewer feedback: this phase was sent back to you from ${f.from}.\n${f.comment}`;
}

/**
 * The turns of the open phase: its instruction, then each rejected answer followed by the
 * reviewer's comment, and send-back reasons, ending with a user turn that asks for the phase
 * (turns alternate, so a send-back's reason joins the user turn it precedes).
 */
function openPhaseTurns(phase: Phase, feedback: readonly PhaseFeedback[]): ChatMessage[] {
  const turns: ChatMessage[] = [];
  let pending: string[] = [phaseInstruction(phase)];
  for (const f of feedback) {
    if (f.answer !== null) {
      turns.push({ role: 'user', content: pending.join('\n\n') }, { role: 'assistant', content: f.answer });
      pending = [];
    }
    pending.push(feedbackText(f));
  }
  if (feedback.length > 0 && pending[0] !== phaseInstruction(phase))
    pending.push(`Answer ${phase} again, taking the feedback into account. ${phaseInstruction(phase)}`);
  turns.push({ role: 'user', content: pending.join('\n\n') });
  return turns;
}

/**
 * The request a model is sent for the workflow's current phase: a system message (role
 * prompt, current state, requirements, earlier results), then the role's own history as
 * instruction/answer pairs, then the current phase's instruction (with any reviewer feedback on
 * it). The orchestrator builds each call's request with it and the projector answers
 * get-ai-prompt with it, so what one shows is what the other sends; only the answer-format
 * paragraph differs for a call made in a provider's structured-output mode (get-ai-prompt shows
 * the fenced one, which any model can follow). The role prompts are those the workflow
 * recorded when it started; only a workflow older than prompt versions uses `currentLibrary`.
 */
export function buildPrompt(ctx: PromptContext, currentLibrary: PromptLibrary): AiPrompt {
  const library = ctx.prompts ?? currentLibrary;
  if (ctx.state === 'COMPLETE' || ctx.state === 'CANCELLED') {
    throw new RangeError(`a ${ctx.state.toLowerCase()} workflow has no prompt`);
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
    model: modelForPhase(ctx.model, ctx.models, phase),
    messages: [{ role: 'system', content: systemMessage(ctx, phase, library) }, ...history, ...openPhaseTurns(phase, ctx.feedback ?? [])],
    temperature: ctx.temperature,
    maxTokens: ctx.maxTokens,
    promptVersion: library[role].version,
  };
}

/**
 * The messages that ask again after an answer missed its phase's schema: the request as sent,
 * the answer, and the validation errors.
 */
export function repairMessages(sent: readonly ChatMessage[], answer: string, errors: readonly string[], format: AnswerFormat = 'fenced'): ChatMessage[] {
  const again =
    format === 'structured'
      ? 'Answer again in full: one JSON object with `document` and a corrected `result`.'
      : 'Answer again in full, ending with one corrected fenced ```json block.';
  return [
    ...sent,
    { role: 'assistant', content: answer },
    { role: 'user', content: `Your structured result did not match the required schema:\n${errors.map((e) => `- ${e}`).join('\n')}\n${again}` },
  ];
}
