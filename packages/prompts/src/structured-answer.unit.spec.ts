import { PHASES } from '@topdog/contracts';
import { describe, expect, it } from 'vitest';
import { examplePhaseResult } from './output-schemas';
import { parseStructuredAnswer, strictJsonSchema, structuredAnswerJsonSchema } from './structured-answer';

/** Every object node of a JSON Schema, with its path. */
function objectNodes(node: unknown, path = '$'): [string, Record<string, unknown>][] {
  if (typeof node !== 'object' || node === null) return [];
  if (Array.isArray(node)) return node.flatMap((n, i) => objectNodes(n, `${path}[${i}]`));
  const here = (node as Record<string, unknown>).type === 'object' ? [[path, node as Record<string, unknown>] as [string, Record<string, unknown>]] : [];
  return [...here, ...Object.entries(node).flatMap(([k, v]) => objectNodes(v, `${path}.${k}`))];
}

describe('structured answers', () => {
  it.each(PHASES)('gives %s a strict-mode schema: every object closed, every property required, no length or count constraints', (phase) => {
    const schema = structuredAnswerJsonSchema(phase);
    expect(schema).toMatchObject({ type: 'object', required: ['document', 'result'], additionalProperties: false });
    for (const [path, node] of objectNodes(schema)) {
      expect(node.additionalProperties, path).toBe(false);
      expect(node.required, path).toEqual(Object.keys(node.properties as object));
    }
    expect(JSON.stringify(schema)).not.toMatch(/"(minLength|maxLength|minItems|maxItems|\$schema)"/);
  });

  it('spells an optional property as a required nullable one', () => {
    const tasks = (structuredAnswerJsonSchema('PLANNING') as any).properties.result.properties.tasks.items;
    expect(tasks.properties.tested_by).toEqual({ type: ['string', 'null'] });
    expect(strictJsonSchema({ type: 'object', properties: { v: { enum: ['a'] } }, required: [] })).toEqual({
      type: 'object',
      properties: { v: { anyOf: [{ enum: ['a'] }, { type: 'null' }] } },
      required: ['v'],
      additionalProperties: false,
    });
  });

  it('reads the document and the result, a null optional field as absent, and names what misses the schema', () => {
    const result = { ...examplePhaseResult('PLANNING'), tasks: [{ title: 'T', description: 'D', tested_by: null }] };
    expect(parseStructuredAnswer('PLANNING', JSON.stringify({ document: '# Plan\n\nOne task.', result }))).toEqual({
      ok: true,
      document: '# Plan\n\nOne task.',
      result: { ...result, tasks: [{ title: 'T', description: 'D' }] },
    });
    const missing = parseStructuredAnswer('VERIFICATION', JSON.stringify({ document: 'ok', result: { summary: 's', verdict: 'maybe', findings: [] } }));
    expect(missing).toEqual({ ok: false, errors: [expect.stringMatching(/^result\.verdict: /)] });
    expect(parseStructuredAnswer('DISCOVERY', 'Plain text, no JSON')).toMatchObject({ ok: false, errors: [expect.stringMatching(/not JSON/)] });
  });
});
