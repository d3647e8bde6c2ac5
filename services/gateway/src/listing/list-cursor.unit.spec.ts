import { TopDogError } from '@topdog/contracts';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './list-cursor';

describe('listing cursor', () => {
  const position = { createdAt: '2026-03-01T10:04:05.123Z', workflowId: '0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b' };

  it('round-trips a place in the listing as base64url', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('answers anything else with a 400 naming the cursor', () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of [
      'x',
      'AAAA',
      forged([position.createdAt]),
      forged(['yesterday', position.workflowId]),
      forged({ ...position }),
      forged([position.createdAt, 'w1']),
    ]) {
      let thrown: unknown;
      try {
        decodeCursor(bad);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(TopDogError);
      expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'cursor' }] });
    }
  });
});
