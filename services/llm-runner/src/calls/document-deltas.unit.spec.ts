import { describe, expect, it } from 'vitest';
import { documentDeltas } from './document-deltas';

/** Feeds a text in pieces of `size` characters and returns what was passed on. */
function stream(text: string, size: number): string[] {
  const out: string[] = [];
  const feed = documentDeltas((t) => out.push(t));
  for (let i = 0; i < text.length; i += size) feed(text.slice(i, i + size));
  return out;
}

describe('documentDeltas', () => {
  const document = '# Plan\n\n1. Add "search" — with a café ☕ and 😀\n2. Test it\\n';
  const answer = JSON.stringify({ document, result: { summary: 'plan', tasks: [{ title: 'T' }] } });

  it.each([1, 3, 16, 1_000])('passes on the document text alone, unescaped, in pieces of %i', (size) => {
    const out = stream(answer, size);
    expect(out.join('')).toBe(document);
    expect(out.join('')).not.toContain('"result"');
    if (size < 16) expect(out.length).toBeGreaterThan(3); // it streams, not all at the end
  });

  it('finds the document wherever it comes in the object', () => {
    expect(stream(JSON.stringify({ result: { summary: 'x' }, document: 'Late' }), 4).join('')).toBe('Late');
  });

  it('passes an answer that is not JSON on as it is', () => {
    expect(stream('Plain prose, no JSON at all.', 5).join('')).toBe('Plain prose, no JSON at all.');
  });

  it('shows nothing after the document of what follows the JSON', () => {
    expect(stream(`${answer}\n\ntrailing words`, 7).join('')).toBe(document);
  });
});
