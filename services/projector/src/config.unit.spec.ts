import { ConfigError, parseConfig } from '@topdog/runtime';
import { describe, expect, it } from 'vitest';
import { ProjectorConfig } from './config';

describe('the projector settings', () => {
  it('lets the heap grow 20% past what a full collection kept by default; 0 leaves it to V8; below 10 is refused, naming the setting', () => {
    expect(parseConfig(ProjectorConfig, {}).HEAP_GROWTH_PERCENT).toBe(20);
    expect(parseConfig(ProjectorConfig, { HEAP_GROWTH_PERCENT: '0' }).HEAP_GROWTH_PERCENT).toBe(0);
    expect(parseConfig(ProjectorConfig, { HEAP_GROWTH_PERCENT: '50' }).HEAP_GROWTH_PERCENT).toBe(50);
    for (const bad of ['5', '-1', '1001', 'abc']) {
      expect(() => parseConfig(ProjectorConfig, { HEAP_GROWTH_PERCENT: bad })).toThrow(ConfigError);
      expect(() => parseConfig(ProjectorConfig, { HEAP_GROWTH_PERCENT: bad })).toThrow(/HEAP_GROWTH_PERCENT/);
    }
  });
});
