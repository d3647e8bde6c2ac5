import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PARENT_PID_VARIABLE, watchParent } from './parent-watch';

const PARENT = 4242;
const startedBy = (pid: number) => ({ [PARENT_PID_VARIABLE]: String(pid) });

/** A process as watchParent sees it: its parent's pid, and an IPC channel that can close. */
function child(ppid = PARENT) {
  return Object.assign(new EventEmitter(), { ppid, channel: { unref: vi.fn() } });
}

describe('watchParent', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('watches nothing in a process not started by pnpm start', () => {
    const proc = child();
    const lost = vi.fn();
    watchParent(lost, {}, proc);
    proc.emit('disconnect');
    expect(lost).not.toHaveBeenCalled();
    expect(proc.channel.unref).not.toHaveBeenCalled();
  });

  it('calls back once when the IPC channel closes, and leaves the channel unable to keep the process alive', () => {
    const proc = child();
    const lost = vi.fn();
    watchParent(lost, startedBy(PARENT), proc);
    expect(proc.channel.unref).toHaveBeenCalled();
    expect(lost).not.toHaveBeenCalled();
    proc.emit('disconnect');
    proc.emit('disconnect');
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it('calls back when the process is re-parented, or already was', () => {
    vi.useFakeTimers();
    const proc = child();
    const lost = vi.fn();
    watchParent(lost, startedBy(PARENT), proc);
    vi.advanceTimersByTime(2_000);
    expect(lost).not.toHaveBeenCalled();
    proc.ppid = 1;
    vi.advanceTimersByTime(1_000);
    expect(lost).toHaveBeenCalledTimes(1);
    const already = vi.fn();
    watchParent(already, startedBy(PARENT), child(1));
    expect(already).toHaveBeenCalledTimes(1);
  });

  it('calls nothing once it stops watching', () => {
    vi.useFakeTimers();
    const proc = child();
    const lost = vi.fn();
    watchParent(lost, startedBy(PARENT), proc)();
    proc.ppid = 1;
    proc.emit('disconnect');
    vi.advanceTimersByTime(2_000);
    expect(lost).not.toHaveBeenCalled();
  });
});
