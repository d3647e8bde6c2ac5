import type { NatsConnection } from '@nats-io/transport-node';
import { APPLIED_SUBJECT } from './baseline-subjects';

/**
 * Follows how far the bare reader has read (its broadcasts on APPLIED_SUBJECT), as the gateway
 * follows the projector's applied position. `readUpTo(seq)` resolves once the reader has read
 * `seq`, and fails after 5 s (a reader gone shows as non-2xx, where the gateway answers anyway
 * after its wait).
 */
export function followApplied(nc: NatsConnection): { readUpTo: (seq: number) => Promise<void> } {
  let applied = 0;
  const waiting: { seq: number; resolve: () => void }[] = [];
  nc.subscribe(APPLIED_SUBJECT, {
    callback: (_err, msg) => {
      applied = Math.max(applied, Number(msg.string()));
      for (let i = waiting.length - 1; i >= 0; i--) {
        if (waiting[i]!.seq <= applied) waiting.splice(i, 1)[0]!.resolve();
      }
    },
  });
  return {
    readUpTo: (seq) =>
      seq <= applied
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const waiter = { seq, resolve: () => (clearTimeout(timer), resolve()) };
            const timer = setTimeout(() => {
              waiting.splice(waiting.indexOf(waiter), 1);
              reject(new Error(`the reader did not reach ${seq} within 5 s`));
            }, 5_000);
            waiting.push(waiter);
          }),
  };
}
