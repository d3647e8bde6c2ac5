import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@topdog/contracts';

/** An event ready to append, for tests and benchmarks of a store: a fresh id, fixed envelope fields. */
export const newTestEvent = (type: string, data: Record<string, unknown> = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  occurredAt: new Date('2026-01-01T00:00:00.000Z').toISOString(),
  correlationId: 'corr-1',
  causationId: null,
  actor: 'contract-test',
  schemaVersion: 1,
  metadata: {},
});
