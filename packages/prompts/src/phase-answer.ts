import type { AnswerFormat, Phase } from '@topdog/contracts';
import { parsePhaseResult } from './output-schemas';
import { parseStructuredAnswer, type StructuredAnswerParse } from './structured-answer';

/** A phase's answer read: the document a person reads (`ai_response`) and the result (`phase_result`), or why not. */
export type PhaseAnswerParse = StructuredAnswerParse;

/**
 * Reads a model's answer in the format it was asked for: a structured answer's `document` and
 * `result`, or a fenced answer whole (its text is the document) with the result from its last
 * fenced JSON block. Pure.
 */
export function parsePhaseAnswer(format: AnswerFormat, phase: Phase, content: string): PhaseAnswerParse {
  if (format === 'structured') return parseStructuredAnswer(phase, content);
  const parsed = parsePhaseResult(phase, content);
  return parsed.ok ? { ok: true, document: content, result: parsed.value } : parsed;
}
