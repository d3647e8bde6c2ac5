import { ListPosition, TopDogError } from '@topdog/contracts';

/**
 * The listing's cursor: the last listed workflow's place (creation time, workflow id) as
 * base64url JSON. Opaque to callers; it names a place in the order, not a page number, so
 * workflows written while a caller pages never shift it.
 */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.workflowId])).toString('base64url');
}

/** The place a cursor names; a 400 naming `cursor` for anything this API did not return. */
export function decodeCursor(cursor: string): ListPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const [createdAt, workflowId] = Array.isArray(decoded) && decoded.length === 2 ? (decoded as unknown[]) : [];
  const position = ListPosition.safeParse({ createdAt, workflowId });
  if (!position.success) {
    throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field: 'cursor', reason: 'not a cursor this API returned' }]);
  }
  return position.data;
}
