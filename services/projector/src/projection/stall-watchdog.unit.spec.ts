import { describe, expect, it } from 'vitest';
import { StallWatchdog } from './stall-watchdog';

const options = { stallMs: 3_000, lagMs: 500 };

describe('StallWatchdog', () => {
  it('sees nothing wrong while the head is applied', () => {
    const w = new StallWatchdog(options, 0);
    expect(w.check(5_000, 5_000, 1_000)).toEqual({ behind: false, stalled: false, silentForMs: 0 });
    expect(w.check(5_000, 5_000, 60_000)).toMatchObject({ behind: false, stalled: false });
  });

  it('gives a head just stored time to arrive, even after a long idle spell', () => {
    const w = new StallWatchdog(options, 0);
    // Nothing was delivered for a minute because nothing was stored; now something is.
    expect(w.check(7_000, 5_000, 60_000)).toMatchObject({ behind: false, stalled: false });
    expect(w.applied(7_000, 60_002)).toBe(false);
    expect(w.check(7_000, 7_000, 61_000)).toMatchObject({ behind: false, stalled: false });
  });

  it('says behind once a head seen at the previous check is still not applied', () => {
    const w = new StallWatchdog(options, 0);
    w.check(7_000, 5_000, 1_000);
    expect(w.check(7_000, 5_000, 2_000)).toMatchObject({ behind: true, stalled: false });
  });

  it('says stalled when the head stays ahead and nothing is delivered for stallMs', () => {
    const w = new StallWatchdog(options, 0);
    w.check(7_000, 5_000, 1_000);
    w.check(7_000, 5_000, 2_000);
    w.check(8_000, 5_000, 3_000);
    expect(w.check(9_000, 5_000, 4_000)).toEqual({ behind: true, stalled: true, silentForMs: 3_000 });
  });

  it('counts silence from the last delivery when that came after the head was seen', () => {
    const w = new StallWatchdog(options, 0);
    w.check(9_000, 5_000, 1_000);
    w.delivered(1_500);
    w.applied(6_000, 1_600);
    expect(w.check(9_000, 6_000, 4_000)).toMatchObject({ stalled: false, silentForMs: 2_400 });
    expect(w.check(9_000, 6_000, 4_600)).toMatchObject({ stalled: true, silentForMs: 3_000 });
  });

  it('does not call a slow apply a stall: the subscription delivered, the loop is busy', () => {
    const w = new StallWatchdog(options, 0);
    w.check(9_000, 5_000, 1_000);
    w.delivered(1_100);
    expect(w.check(9_000, 5_000, 10_000)).toMatchObject({ behind: true, stalled: false });
  });

  it('gives a new subscription stallMs to deliver', () => {
    const w = new StallWatchdog(options, 0);
    w.check(9_000, 5_000, 1_000);
    expect(w.check(9_000, 5_000, 4_000).stalled).toBe(true);
    w.subscribed(4_100);
    expect(w.check(9_000, 5_000, 5_000).stalled).toBe(false);
    expect(w.check(9_000, 5_000, 7_100).stalled).toBe(true);
  });

  it('is caught up again only once it has applied a head read after it fell behind', () => {
    const w = new StallWatchdog(options, 0);
    w.check(7_000, 5_000, 1_000);
    expect(w.check(9_000, 5_000, 2_000).behind).toBe(true);
    // The head seen when it fell behind is applied, but not the one read since.
    expect(w.applied(7_000, 2_100)).toBe(false);
    expect(w.behind).toBe(true);
    expect(w.applied(9_000, 2_200)).toBe(true);
    expect(w.behind).toBe(false);
    expect(w.check(9_000, 9_000, 3_000)).toMatchObject({ behind: false, stalled: false });
  });

  it('forgets everything on reset (a rebuild)', () => {
    const w = new StallWatchdog(options, 0);
    w.check(7_000, 5_000, 1_000);
    w.check(7_000, 5_000, 2_000);
    w.reset(2_500);
    expect(w.behind).toBe(false);
    expect(w.check(7_000, 0, 3_000)).toMatchObject({ behind: false, stalled: false });
  });
});
