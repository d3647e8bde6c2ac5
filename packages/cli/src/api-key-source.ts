import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** Where `pnpm start` writes the admin key it makes: `.data/admin.key` at the repository's root. */
const localAdminKeyFile = () => fileURLToPath(new URL('../../../.data/admin.key', import.meta.url));

/**
 * The credential to send: --api-key, else TOPDOG_API_KEY, else (for the local gateway only, at the
 * default URL) the admin key `pnpm start` wrote. A key is never printed.
 */
export function resolveApiKey(url: string, given: string | undefined): string | undefined {
  if (given) return given;
  if (process.env.TOPDOG_API_KEY) return process.env.TOPDOG_API_KEY;
  if (url.replace(/\/+$/, '') !== DEFAULT_URL) return undefined;
  try {
    return readFileSync(localAdminKeyFile(), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
