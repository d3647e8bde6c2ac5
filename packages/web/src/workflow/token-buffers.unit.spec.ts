import { describe, expect, it } from 'vitest';
import { applyToken, tokensOf, type TokenBuffers } from './token-buffers';

const WF = '0b7c6e0e-6f53-4d0a-9b8e-1d2f3a4b5c6d';
const call = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const delta = (n: number, attempt: number, seq: number, text: string) => ({ workflowId: WF, callId: call(n), phase: 'DISCOVERY', attempt, seq, delta: text });
const fold = (...deltas: ReturnType<typeof delta>[]): TokenBuffers => deltas.reduce(applyToken, [] as TokenBuffers);

describe('token buffers', () => {
  it('joins a call deltas in order, once each', () => {
    const buffers = fold(delta(1, 1, 0, 'Hel'), delta(1, 1, 1, 'lo'), delta(1, 1, 1, 'lo'), delta(1, 1, 2, '!'));
    expect(tokensOf(buffers, call(1))).toMatchObject({ text: 'Hello!', gap: false, attempt: 1 });
    expect(tokensOf(buffers, call(2))).toBeNull();
    expect(tokensOf(buffers, undefined)).toBeNull();
  });

  it('starts again for a retry, ignores the earlier attempt late deltas, and marks holes', () => {
    const buffers = fold(delta(1, 1, 0, 'first'), delta(1, 2, 0, 'second'), delta(1, 1, 1, ' late'), delta(1, 2, 2, ' skipped one'));
    expect(tokensOf(buffers, call(1))).toMatchObject({ text: 'second skipped one', attempt: 2, gap: true });
    expect(tokensOf(fold(delta(1, 1, 3, 'mid-answer')), call(1))).toMatchObject({ text: 'mid-answer', gap: true });
  });

  it('keeps the text of the last few calls only', () => {
    const buffers = fold(...[1, 2, 3, 4, 5, 6].map((n) => delta(n, 1, 0, `call ${n}`)));
    expect(buffers.map((b) => b.text)).toEqual(['call 3', 'call 4', 'call 5', 'call 6']);
  });
});
