import { describe, expect, it } from 'vitest';
import { serializeError } from './logger';

describe('the logged error', () => {
  it("is typed by the name the error sets, not by its class's name (which a bundle may rename)", () => {
    class TimeoutError2 extends Error {
      override name = 'TimeoutError';
    }
    expect(serializeError(new TimeoutError2('slow'))).toMatchObject({ type: 'TimeoutError', message: 'slow' });
  });

  it("is typed by its class's name where the error sets none", () => {
    class Stopped extends Error {}
    expect(serializeError(new Stopped('x')).type).toBe('Stopped');
    expect(serializeError(new Error('y')).type).toBe('Error');
  });
});
