import type { LlmCallStatus, QueuedLlmCall } from '@topdog/contracts';
import type { TakenLlmCall } from '@topdog/event-store';
import { queuedCall } from '@topdog/event-store/llm-call-fixture';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CallRunner } from '../calls/call-runner';
import type { OrchestratorClient } from './orchestrator-client';
import { RequestWorker } from './request-worker';

const GRACE_MS = 60_000;

/** A call queued at revision 3 of its workflow's stream, to be appended on revision 2. */
const queued = (): QueuedLlmCall => ({ ...queuedCall(), expectedRevision: 2 });

/**
 * Hands one call, queued `queuedAgoMs` ago, to a worker whose orchestrator answers `status` for
 * it; resolves with what the worker did with it: acknowledged (done with, the model not called)
 * or handed back (with its delay).
 */
async function handOne(status: LlmCallStatus, queuedAgoMs: number): Promise<{ acked: boolean; nakDelayMs?: number; modelCalled: boolean }> {
  let modelCalled = false;
  let handed = false;
  let settle: (done: { acked: boolean; nakDelayMs?: number }) => void = () => undefined;
  const outcome = new Promise<{ acked: boolean; nakDelayMs?: number }>((resolve) => (settle = resolve));
  const taken: TakenLlmCall = {
    call: queued(),
    redeliveries: 0,
    queuedAtMs: performance.timeOrigin + performance.now() - queuedAgoMs,
    working: () => undefined,
    ack: async () => settle({ acked: true }),
    nak: (delayMs) => settle({ acked: false, nakDelayMs: delayMs }),
  };
  const worker = new RequestWorker({
    source: {
      take: async (waitMs) => {
        if (handed) return new Promise((r) => setTimeout(() => r(undefined), Math.min(waitMs, 20)));
        handed = true;
        return taken;
      },
    },
    runner: {
      run: async () => {
        modelCalled = true;
        throw new Error('the model is not to be called');
      },
    } as unknown as CallRunner,
    orchestrator: { callStatus: async () => status } as unknown as OrchestratorClient,
    logger: pino({ level: 'silent' }),
    concurrency: 1,
    ackWaitMs: 30_000,
    unstoredGraceMs: GRACE_MS,
  });
  worker.start();
  try {
    return { ...(await outcome), modelCalled };
  } finally {
    await worker.stop();
  }
}

describe('RequestWorker, a call the orchestrator has not stored', () => {
  it('is handed back, soon, while its append may be under way (the stream not past the revision it was to be appended on)', async () => {
    const done = await handOne({ status: 'unknown', revision: 2 }, 1_000);
    expect(done).toEqual({ acked: false, nakDelayMs: expect.any(Number), modelCalled: false });
    expect(done.nakDelayMs).toBeLessThanOrEqual(1_000);
  });

  it('is dropped once the stream is past that revision: another commit was appended there', async () => {
    expect(await handOne({ status: 'unknown', revision: 3 }, 1_000)).toEqual({ acked: true, modelCalled: false });
  });

  it('is dropped after the grace period, the stream not past it (its orchestrator never appended it)', async () => {
    expect(await handOne({ status: 'unknown', revision: 2 }, GRACE_MS + 1_000)).toEqual({ acked: true, modelCalled: false });
  });
});
