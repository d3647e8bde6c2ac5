import type { AuditRecordBody } from '@topdog/contracts';
import { describe, expect, it } from 'vitest';
import { firstBrokenLink } from './chain-links';

const record = (revision: number, hash: string, prevHash?: string | null) =>
  ({ revision, hash, metadata: prevHash === undefined ? {} : { prevHash } }) as unknown as AuditRecordBody;

describe('firstBrokenLink', () => {
  it('finds the first record that does not name its predecessor hash; records without a link are skipped', () => {
    expect(firstBrokenLink([])).toBeNull();
    expect(firstBrokenLink([record(0, 'a', null), record(1, 'b', 'a'), record(2, 'c', 'b')])).toBeNull();
    expect(firstBrokenLink([record(0, 'a'), record(1, 'b'), record(2, 'c', 'b')])).toBeNull();
    expect(firstBrokenLink([record(0, 'a', null), record(1, 'b', 'a'), record(2, 'c', 'x'), record(3, 'd', 'y')])).toBe(2);
  });
});
