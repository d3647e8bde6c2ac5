import * as z from 'zod';

/**
 * How a phase's answer is asked for, and read:
 * - `structured`: in the provider's structured-output mode, one JSON object `{document, result}`
 *   under the phase's schema (the provider guarantees the shape where it supports the mode);
 * - `fenced`: free text ending with a fenced ```json block holding the result (the original way,
 *   for models and servers without a structured-output mode).
 */
export const ANSWER_FORMATS = ['structured', 'fenced'] as const;
export const AnswerFormat = z.enum(ANSWER_FORMATS);
export type AnswerFormat = z.infer<typeof AnswerFormat>;
