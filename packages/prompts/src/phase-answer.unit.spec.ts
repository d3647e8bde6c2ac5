import { describe, expect, it } from 'vitest';
import { examplePhaseResult } from './output-schemas';
import { parsePhaseAnswer } from './phase-answer';

describe('parsePhaseAnswer', () => {
  const result = examplePhaseResult('DISCOVERY');

  it('reads a structured answer as its document and its result', () => {
    const content = JSON.stringify({ document: '# Discovery\n\nWhat we found.', result });
    expect(parsePhaseAnswer('structured', 'DISCOVERY', content)).toEqual({ ok: true, document: '# Discovery\n\nWhat we found.', result });
  });

  it('reads a fenced answer whole as the document, the result from its fenced block', () => {
    const content = `What we found.\n\n\`\`\`json\n${JSON.stringify(result)}\n\`\`\`\n`;
    expect(parsePhaseAnswer('fenced', 'DISCOVERY', content)).toEqual({ ok: true, document: content, result });
  });

  it('reads an answer only in the format it was asked for', () => {
    const fenced = `Prose.\n\n\`\`\`json\n${JSON.stringify(result)}\n\`\`\``;
    expect(parsePhaseAnswer('structured', 'DISCOVERY', fenced)).toMatchObject({ ok: false, errors: [expect.stringMatching(/not JSON/)] });
    expect(parsePhaseAnswer('fenced', 'DISCOVERY', 'Prose without a block.')).toEqual({ ok: false, errors: ['the answer has no fenced ```json block'] });
  });

  it('names the fields a structured answer misses', () => {
    const parsed = parsePhaseAnswer('structured', 'DISCOVERY', JSON.stringify({ document: '', result: {} }));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors.some((e) => e.startsWith('document:'))).toBe(true);
    expect(!parsed.ok && parsed.errors.some((e) => e.startsWith('result.summary:'))).toBe(true);
  });
});
