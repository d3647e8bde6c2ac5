import type { ErrorBody } from '@topdog/contracts';

type Headers = Record<string, string | string[] | undefined>;

/** A request carrying a body that is not JSON is refused before it is read (415). */
export function unsupportedMediaType(method: string, headers: Headers): ErrorBody | undefined {
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return undefined;
  const length = Number(headers['content-length'] ?? 0);
  const chunked = headers['transfer-encoding'] !== undefined;
  if (length === 0 && !chunked) return undefined;
  const type = String(headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return undefined;
  return {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'send the body as application/json',
    details: [{ field: 'Content-Type', reason: type ? `${type} is not accepted` : 'missing; must be application/json' }],
  };
}
