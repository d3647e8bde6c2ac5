import type { AuditRecordBody } from '@topdog/contracts';

/**
 * The check the page can make of the records it holds, as the service's verification walks them:
 * revisions run 0, 1, 2… without a gap, and each record that carries `metadata.prevHash` names
 * its predecessor's hash (null for the first). Records from before the chain existed carry none
 * and are passed over. The revision of the first record that breaks the rule, or null. (The
 * hashes themselves are the service's to recompute: `audit/verify`.)
 */
export function firstBrokenLink(records: readonly AuditRecordBody[]): number | null {
  for (const [index, record] of records.entries()) {
    if (record.revision !== index) return record.revision;
    const prevHash = (record.metadata as { prevHash?: string | null }).prevHash;
    if (prevHash === undefined) continue;
    if (prevHash !== (index === 0 ? null : records[index - 1]!.hash)) return record.revision;
  }
  return null;
}
