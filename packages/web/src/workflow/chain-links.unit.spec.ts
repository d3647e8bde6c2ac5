import type { AuditRecordBody } from '@topdog/contracts';
import { describe, expect, it } from 'vitest';
import { firstBrokenLink } from './chain-links';

const record = (revision: number, hash: string, prevHash?: string | null) =>
  ({ revision, hash, metadata: prevHash === undefined ? {} : { prevHash } }) as unknown as AuditRecordBody;

describe('firstBrokenLink', () => {
  it('passes a chain whose every record names its predecessor, and records from before the chain', () => {
    expect(firstBrokenLink([])).toBeNull();
    expect(firstBrokenLink([record(0, 'a', null), record(1, 'b', 'a'), record(2, 'c', 'b')])).toBeNull();
    expect(firstBrokenLink([record(0, 'a'), record(1, 'b'), record(2, 'c', 'b')])).toBeNull();
  });

  it('names the first record that names another hash, restarts the chain (null) or skips a revision', () => {
    expect(firstBrokenLink([record(0, 'a', null), record(1, 'b', 'a'), record(2, 'c', 'x'), record(3, 'd', 'y')])).toBe(2);
    expect(firstBrokenLink([record(0, 'a', null), record(1, 'b', null)])).toBe(1);
    expect(firstBrokenLink([record(0, 'a', 'z')])).toBe(0);
    expect(firstBrokenLink([record(0, 'a', null), record(2, 'c', 'a')])).toBe(2);
  });
});
