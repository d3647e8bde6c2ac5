import type { AuditRecordBody } from '@topdog/contracts';

/**
 * A check the page can make on its own of the records it holds: each names its predecessor's
 * hash as `metadata.prevHash`. The revision of the first that does not (null: all do). Records
 * from before the chain existed carry none and are skipped, as the service's verification does.
 * The hashes themselves are recomputed by the service's verification.
 */
export function firstBrokenLink(records: readonly AuditRecordBody[]): number | null {
  for (let i = 1; i < records.length; i++) {
    const prevHash = (records[i]!.metadata as { prevHash?: unknown }).prevHash;
    if (prevHash === undefined || prevHash === null) continue;
    if (prevHash !== records[i - 1]!.hash) return records[i]!.revision;
  }
  return null;
}
