/** Patterns that look like provider keys or bearer tokens, whoever's they are. */
const KEY_LIKE = [/\bsk-[A-Za-z0-9_-]{6,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{6,}/gi, /\bx-api-key[:=]\s*\S+/gi];

/**
 * Text safe to log or record: every configured secret, and anything shaped like a key, is
 * replaced with `[redacted]`. Provider error messages can echo a key back (OpenAI's 401 does).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  for (const pattern of KEY_LIKE) out = out.replace(pattern, '[redacted]');
  return out;
}
