import type { Phase } from '@topdog/contracts';
import * as z from 'zod';

const Text = z.string().min(1);
const List = z.array(Text);

/**
 * The structured result each phase's owner ends its answer with (a fenced JSON block). Under
 * auto-advance an answer whose block misses its schema is asked again with the errors.
 */
export const PHASE_OUTPUT_SCHEMAS = {
  DISCOVERY: z.object({
    summary: Text,
    requirements: List.min(1),
    acceptance_criteria: List.min(1),
    open_questions: List,
  }),
  PLANNING: z.object({
    summary: Text,
    tasks: z.array(z.object({ title: Text, description: Text, tested_by: Text.optional() })).min(1),
  }),
  IMPLEMENTATION: z.object({
    summary: Text,
    changes: z.array(z.object({ path: Text, description: Text })).min(1),
  }),
  TESTING: z.object({
    summary: Text,
    tests: z.array(z.object({ name: Text, covers: Text })).min(1),
    gaps: List,
  }),
  VERIFICATION: z.object({
    summary: Text,
    verdict: z.enum(['pass', 'fail']),
    findings: List,
  }),
  DEPLOYMENT: z.object({
    summary: Text,
    rollout: List.min(1),
    rollback: Text,
    release_notes: Text,
  }),
} as const satisfies Record<Phase, z.ZodType<Record<string, unknown>>>;

const jsonSchemas = new Map<Phase, unknown>();

/**
 * A structured result that meets the phase's schema, worded with `tag`: what the offline model
 * answers, and a known-good result for tests.
 */
export function examplePhaseResult(phase: Phase, tag = 'example'): Record<string, unknown> {
  const summary = `Offline ${phase.toLowerCase()} result ${tag} (deterministic model: no provider was called).`;
  switch (phase) {
    case 'DISCOVERY':
      return {
        summary,
        requirements: [`Requirement ${tag}-1 restated from the request`],
        acceptance_criteria: [`Criterion ${tag}-1 can be checked by a test`],
        open_questions: [],
      };
    case 'PLANNING':
      return { summary, tasks: [{ title: `Task ${tag}-1`, description: 'Implement the first requirement', tested_by: `Test ${tag}-1` }] };
    case 'IMPLEMENTATION':
      return { summary, changes: [{ path: `src/feature-${tag}.ts`, description: 'Adds the feature' }] };
    case 'TESTING':
      return { summary, tests: [{ name: `feature-${tag} works`, covers: `Criterion ${tag}-1` }], gaps: [] };
    case 'VERIFICATION':
      return { summary, verdict: 'pass', findings: [] };
    case 'DEPLOYMENT':
      return { summary, rollout: ['Deploy to staging', 'Deploy to production'], rollback: 'Redeploy the previous release', release_notes: `Feature ${tag}` };
  }
}

/** The JSON Schema of a phase's result, as shown to the model (computed once per phase). */
export function outputJsonSchema(phase: Phase): unknown {
  let schema = jsonSchemas.get(phase);
  if (schema === undefined) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(PHASE_OUTPUT_SCHEMAS[phase]) as Record<string, unknown>;
    schema = rest;
    jsonSchemas.set(phase, schema);
  }
  return schema;
}

export type PhaseResultParse = { ok: true; value: Record<string, unknown> } | { ok: false; errors: string[] };

const FENCED_JSON = /```(?:json)?[ \t]*\r?\n([\s\S]*?)\r?\n?```/gi;

/** The last fenced JSON block of an answer, or the whole answer when it is JSON itself. */
function lastJsonBlock(content: string): string | undefined {
  const blocks = [...content.matchAll(FENCED_JSON)].map((m) => m[1]!);
  if (blocks.length > 0) return blocks.at(-1);
  const trimmed = content.trim();
  return trimmed.startsWith('{') ? trimmed : undefined;
}

/** Reads and checks the structured result at the end of a phase's answer. Pure. */
export function parsePhaseResult(phase: Phase, content: string): PhaseResultParse {
  const block = lastJsonBlock(content);
  if (block === undefined) return { ok: false, errors: ['the answer has no fenced ```json block'] };
  let json: unknown;
  try {
    json = JSON.parse(block);
  } catch (err) {
    return { ok: false, errors: [`the JSON block does not parse: ${(err as Error).message}`] };
  }
  const result = PHASE_OUTPUT_SCHEMAS[phase].safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`),
  };
}
