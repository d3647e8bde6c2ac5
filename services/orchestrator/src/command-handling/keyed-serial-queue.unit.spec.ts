import { describe, expect, it } from 'vitest';
import { KeyedSerialQueue } from './keyed-serial-queue';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedSerialQueue', () => {
  it('runs tasks of one key in order, one at a time, even when some fail', async () => {
    const queue = new KeyedSerialQueue();
    const log: string[] = [];
    let running = 0;
    const task =
      (name: string, fail = false) =>
      async () => {
        running++;
        expect(running).toBe(1);
        log.push(`start ${name}`);
        await tick(5);
        log.push(`end ${name}`);
        running--;
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([queue.run('a', task('1')), queue.run('a', task('2', true)), queue.run('a', task('3'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    await tick(0);
    expect(queue.size).toBe(0);
  });

  it('runs different keys concurrently', async () => {
    const queue = new KeyedSerialQueue();
    let concurrent = 0;
    let peak = 0;
    const task = async () => {
      peak = Math.max(peak, ++concurrent);
      await tick(5);
      concurrent--;
    };
    await Promise.all([queue.run('a', task), queue.run('b', task), queue.run('c', task)]);
    expect(peak).toBe(3);
  });

  it('is idle once every task has run, those queued while it waited included', async () => {
    const queue = new KeyedSerialQueue();
    const done: string[] = [];
    const task = (name: string, ms: number) => async () => {
      await tick(ms);
      done.push(name);
    };
    void queue.run('a', task('a1', 10));
    void queue.run('b', task('b1', 5)).then(() => void queue.run('c', task('c1', 10)));
    void queue.run('a', task('a2', 5)).catch(() => undefined);

    await queue.idle();

    expect(done.sort()).toEqual(['a1', 'a2', 'b1', 'c1']);
    expect(queue.size).toBe(0);
    await queue.idle(); // and at once when nothing is queued
  });
});
