import { MODEL_TABLE, type ModelEntry, type Provider } from './model-table';

const PROVIDER_PREFIXES: readonly Provider[] = ['openai', 'anthropic', 'local'];
const MODEL_NAME = /^[A-Za-z0-9._:/@-]{1,200}$/;

export type ModelResolution = { ok: true; model: ModelEntry } | { ok: false; reason: string };

/** Looks a model name up in the table, or reads it as `<provider>:<model>`. */
export function resolveModel(name: string): ModelResolution {
  const entry = MODEL_TABLE[name];
  if (entry) return { ok: true, model: entry };
  const colon = name.indexOf(':');
  if (colon > 0) {
    const provider = name.slice(0, colon) as Provider;
    const providerModel = name.slice(colon + 1);
    if (PROVIDER_PREFIXES.includes(provider) && providerModel.length > 0 && MODEL_NAME.test(providerModel)) {
      const priced = Object.values(MODEL_TABLE).find((m) => m.provider === provider && m.providerModel === providerModel);
      return {
        ok: true,
        model: priced ?? { provider, providerModel, inputPerMTok: provider === 'local' ? 0 : null, outputPerMTok: provider === 'local' ? 0 : null },
      };
    }
  }
  const known = Object.keys(MODEL_TABLE).join(', ');
  return {
    ok: false,
    reason: `unknown model "${name}": use one of ${known}, or openai:<model>, anthropic:<model>, local:<model>`,
  };
}
