import { PHASES, type Phase } from '@topdog/contracts';
import * as z from 'zod';
import { PHASE_OUTPUT_SCHEMAS, type PhaseResultParse } from './output-schemas';

/** A JSON Schema node, as zod 4 writes them. */
type JsonSchema = { [key: string]: unknown };

const answerSchemaOf = (phase: Phase) => z.object({ document: z.string().min(1), result: PHASE_OUTPUT_SCHEMAS[phase] });

/** Made once per phase: zod compiles a schema on its first use, which costs more than a parse. */
const STRUCTURED_ANSWER_SCHEMAS = Object.fromEntries(PHASES.map((p) => [p, answerSchemaOf(p)])) as { [P in Phase]: ReturnType<typeof answerSchemaOf> };

/**
 * A phase's answer in a provider's structured-output mode: the document (the markdown a person
 * reads, `ai_response`) and the structured result (`phase_result`) under the phase's schema.
 */
export const structuredAnswerSchema = (phase: Phase) => STRUCTURED_ANSWER_SCHEMAS[phase];

/** Constraints the providers' strict modes do not take: our own validation (zod) still applies them. */
const UNSUPPORTED = new Set(['minLength', 'maxLength', 'minItems', 'maxItems', 'pattern', 'format', '$schema']);

const isObject = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A schema that also accepts null: how strict modes spell an optional property. */
function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string')
    return { ...schema, type: [schema.type, 'null'], ...(schema.enum ? { enum: [...(schema.enum as unknown[]), null] } : {}) };
  return { anyOf: [schema, { type: 'null' }] };
}

/**
 * The strict-mode subset of a JSON Schema (OpenAI's `strict: true`, and what Anthropic's and local
 * servers' schema modes accept): every object closed (`additionalProperties: false`) with every
 * property required, an optional one made nullable instead; length, count and format constraints
 * dropped. Pure.
 */
export function strictJsonSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (UNSUPPORTED.has(key)) continue;
    if (key === 'properties' && isObject(value)) {
      const required = new Set((schema.required as string[] | undefined) ?? []);
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, prop]) => {
          const strict = strictJsonSchema(prop as JsonSchema);
          return [name, required.has(name) ? strict : nullable(strict)];
        }),
      );
      out.required = Object.keys(value);
      out.additionalProperties = false;
    } else if (key === 'required' || key === 'additionalProperties') {
      continue; // set with the properties
    } else if (key === 'items' && isObject(value)) {
      out.items = strictJsonSchema(value);
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      out[key] = value.map((v) => strictJsonSchema(v as JsonSchema));
    } else {
      out[key] = value;
    }
  }
  if (out.type === 'object' && out.properties === undefined) {
    out.properties = {};
    out.required = [];
    out.additionalProperties = false;
  }
  return out;
}

const schemas = new Map<Phase, JsonSchema>();

/** The strict JSON Schema of a phase's structured answer (computed once per phase). */
export function structuredAnswerJsonSchema(phase: Phase): JsonSchema {
  let schema = schemas.get(phase);
  if (!schema) {
    schema = strictJsonSchema(z.toJSONSchema(structuredAnswerSchema(phase)));
    schemas.set(phase, schema);
  }
  return schema;
}

/** A value without its null-valued properties: a strict mode's null for an optional one is its absence. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

export type StructuredAnswerParse = { ok: true; document: string; result: Record<string, unknown> } | Extract<PhaseResultParse, { ok: false }>;

/** Reads and checks a structured answer (`{document, result}` as JSON). Pure. */
export function parseStructuredAnswer(phase: Phase, content: string): StructuredAnswerParse {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (err) {
    return { ok: false, errors: [`the answer is not JSON: ${(err as Error).message}`] };
  }
  const parsed = structuredAnswerSchema(phase).safeParse(withoutNulls(json));
  if (parsed.success) return { ok: true, document: parsed.data.document, result: parsed.data.result };
  return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`) };
}
