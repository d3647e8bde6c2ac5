import { TopDogError } from '@topdog/contracts';

/** A held place in a StreamQuota; releasing it twice is harmless. */
export interface StreamSlot {
  release(): void;
}

/**
 * How many live-event streams each owner (an identity's actor) holds open, bounded: one over the
 * bound is refused with RATE_LIMITED, and a stream that closes frees its place at once.
 */
export class StreamQuota {
  private readonly held = new Map<string, number>();

  constructor(private readonly maxPerOwner: number) {}

  heldBy(owner: string): number {
    return this.held.get(owner) ?? 0;
  }

  /** Takes a place for `owner`, or throws RATE_LIMITED when it already holds the most it may. */
  acquire(owner: string): StreamSlot {
    const count = this.heldBy(owner);
    if (count >= this.maxPerOwner) {
      throw new TopDogError('RATE_LIMITED', `over ${this.maxPerOwner} open live-event streams for this identity`, [
        { field: '(identity)', reason: 'close a stream, or retry later' },
      ]);
    }
    this.held.set(owner, count + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = this.heldBy(owner) - 1;
        if (left > 0) this.held.set(owner, left);
        else this.held.delete(owner);
      },
    };
  }
}
