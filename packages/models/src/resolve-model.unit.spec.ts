import { describe, expect, it } from 'vitest';
import { costOf } from './model-table';
import { resolveModel } from './resolve-model';

describe('resolveModel', () => {
  it('finds named models and the original kinds', () => {
    for (const name of ['gpt-4', 'gpt-3.5-turbo', 'claude', 'local', 'claude-sonnet-4-6', 'gpt-4.1']) {
      expect(resolveModel(name).ok, name).toBe(true);
    }
  });

  it('reads provider-prefixed names and keeps known prices', () => {
    expect(resolveModel('openai:gpt-4.1')).toEqual({
      ok: true,
      model: { provider: 'openai', providerModel: 'gpt-4.1', inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
    });
    expect(resolveModel('openai:o9-preview')).toMatchObject({ ok: true, model: { inputPerMTok: null } });
    expect(resolveModel('local:qwen2.5:7b')).toMatchObject({ ok: true, model: { provider: 'local', providerModel: 'qwen2.5:7b', inputPerMTok: 0 } });
  });

  it('rejects unknown names and providers with a reason', () => {
    for (const name of ['gpt-5-imaginary', 'mistral:large', 'openai:', ':x', 'openai:has space']) {
      const r = resolveModel(name);
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.reason).toContain('unknown model');
    }
  });
});

describe('offline model and costs', () => {
  it('has a deterministic offline model that costs nothing', () => {
    expect(resolveModel('offline')).toMatchObject({ ok: true, model: { provider: 'offline', inputPerMTok: 0 } });
    expect(resolveModel('offline:anything').ok).toBe(false);
  });

  it('prices a call per million tokens, and an unpriced one as null', () => {
    expect(costOf({ inputPerMTok: 2, outputPerMTok: 8 }, 1_000, 500)).toBeCloseTo(0.006, 9);
    expect(costOf({ inputPerMTok: null, outputPerMTok: null }, 1_000, 500)).toBeNull();
  });
});

describe('costOf', () => {
  it('prices cached input and cache writes at their own rates, or as plain input where the table has none', () => {
    const sonnet = resolveModel('claude-sonnet-4-6');
    const gpt4 = resolveModel('gpt-4');
    if (!sonnet.ok || !gpt4.ok) throw new Error('both are in the table');
    expect(costOf(sonnet.model, { inputTokens: 1000, outputTokens: 0, cachedInputTokens: 600, cacheWriteTokens: 300 })).toBeCloseTo(
      (100 * 3 + 600 * 0.3 + 300 * 3.75) / 1e6,
      12,
    );
    expect(costOf(gpt4.model, { inputTokens: 1000, outputTokens: 10, cachedInputTokens: 600 })).toBeCloseTo((1000 * 30 + 10 * 60) / 1e6, 12);
    expect(costOf(gpt4.model, 1000, 10)).toBe(costOf(gpt4.model, { inputTokens: 1000, outputTokens: 10 }));
  });
});
