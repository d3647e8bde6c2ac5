import type { ResolvedEvent } from '@kurrent/kurrentdb-client';
import { describe, expect, it } from 'vitest';
import { positionOf } from './kurrentdb.event-store';

const UNKNOWN = 2n ** 64n - 1n;

/** A resolved event as the client hands it over, with the positions a read may or may not carry. */
function resolved(positions: { commitPosition?: bigint; commit?: bigint; prepare?: bigint }): ResolvedEvent {
  const position = positions.commit === undefined && positions.prepare === undefined ? undefined : { commit: positions.commit!, prepare: positions.prepare! };
  return {
    ...(positions.commitPosition === undefined ? {} : { commitPosition: positions.commitPosition }),
    event: { id: 'e1', streamId: 'p.workflow-1', revision: 0n, type: 'A', data: {}, metadata: {}, isJson: true, created: new Date(0), position },
  } as unknown as ResolvedEvent;
}

describe('KurrentDB positions', () => {
  it("is the event's commit position in $all, as a subscription or a read of $all gives it", () => {
    expect(positionOf(resolved({ commitPosition: 4_096n, commit: 4_096n, prepare: 4_096n }))).toBe(4_096);
    expect(positionOf(resolved({ commit: 8_192n, prepare: 8_192n }))).toBe(8_192);
  });

  it('falls back to the prepare position when a stream read does not know the commit position', () => {
    expect(positionOf(resolved({ commit: UNKNOWN, prepare: 12_288n }))).toBe(12_288);
  });

  it('refuses an event without any position rather than make one up', () => {
    expect(() => positionOf(resolved({}))).toThrow(/no position for event e1/);
    expect(() => positionOf(resolved({ commit: UNKNOWN, prepare: UNKNOWN }))).toThrow(/no position/);
  });
});
