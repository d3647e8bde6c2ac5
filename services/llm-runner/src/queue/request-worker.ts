import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs, type LlmCallOutcome, type LlmCallRequested } from '@topdog/contracts';
import type { TakenLlmCall } from '@topdog/event-store';
import { contextFromTraceparent, inSpan, SpanKind, tracingOn, type Logger } from '@topdog/runtime';
import { CallAbandonedError, type CallRunner } from '../calls/call-runner';
import { isTransient, type OrchestratorClient } from './orchestrator-client';

/** Where requests come from: the call queue (`LlmCallQueue`). */
export interface RequestSource {
  take(waitMs: number): Promise<TakenLlmCall | undefined>;
}

export interface RequestWorkerDeps {
  source: RequestSource;
  runner: CallRunner;
  orchestrator: OrchestratorClient;
  logger: Logger;
  concurrency: number;
  ackWaitMs: number;
  /** How long a queued call that is not stored, and whose revision no event holds, is handed back before it is dropped (LLM_UNSTORED_CALL_GRACE_MS). */
  unstoredGraceMs: number;
  /** Called with each call's timings, for metrics. */
  onCallTimed?: (timing: CallTiming) => void;
  /** Told of each model call made, with its outcome, for metrics. */
  calls?: CallObserver;
}

/** Told of each model call made (the llm-runner's metrics). */
export interface CallObserver {
  callFinished(request: LlmCallRequested['data'], outcome: LlmCallOutcome, seconds: number): void;
}

/** Where a call's time went outside the model: from the request's queuing to the provider, and back. */
export interface CallTiming {
  callId: string;
  /** Request queued → first provider request started. */
  beforeMs: number;
  /** Provider answer ended → result recorded by the orchestrator. */
  afterMs: number;
}

const nowMs = () => performance.timeOrigin + performance.now();

/** How soon an unstored call is asked about again: soon at first (its append is usually under way), then once a minute. */
const UNSTORED_RETRY = { baseMs: 200, maxMs: 60_000 };

/** The orchestrator does not know the call yet: its commit may still be being appended. */
class NotStoredYetError extends Error {
  override readonly name = 'NotStoredYetError';
}

/**
 * Takes call requests from the shared call queue, at most `concurrency` at once, and for
 * each: asks the orchestrator whether the call still waits for a result (a redelivered request
 * whose result is recorded is never sent to a model again), runs it, and records the outcome
 * with retries until the orchestrator has it. A request is acknowledged only then; while a call
 * runs its deadline is extended, and if this process dies the request is redelivered. A request
 * the orchestrator has not stored is dropped once the stream is past the revision its commit was
 * to be appended on (its append failed); until then its append may be under way, and it is
 * handed back, less and less often, for at most `unstoredGraceMs` (its orchestrator died between
 * queuing it and appending it, or its commit was refused as too large).
 */
export class RequestWorker {
  private readonly stopping = new AbortController();
  private inFlight = 0;
  private slotFreed: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly active = new Set<Promise<void>>();

  constructor(private readonly deps: RequestWorkerDeps) {}

  start(): void {
    this.loop = this.run();
  }

  get running(): number {
    return this.inFlight;
  }

  /** Stops taking requests; calls in flight are abandoned and their requests handed back. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.slotFreed?.();
    await this.loop;
    await Promise.allSettled([...this.active]);
  }

  private async run(): Promise<void> {
    const { source, logger, concurrency } = this.deps;
    while (!this.stopping.signal.aborted) {
      if (this.inFlight >= concurrency) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let taken: TakenLlmCall | undefined;
      try {
        taken = await source.take(2_000);
      } catch (err) {
        if (this.stopping.signal.aborted) break;
        logger.warn({ err }, 'could not take call requests; retrying');
        await sleep(1_000).catch(() => undefined);
        continue;
      }
      if (!taken) continue;
      if (this.stopping.signal.aborted) {
        taken.nak(0);
        continue;
      }
      this.inFlight++;
      const task = this.process(taken).finally(() => {
        this.inFlight--;
        this.active.delete(task);
        this.slotFreed?.();
        this.slotFreed = undefined;
      });
      this.active.add(task);
    }
  }

  private async process(taken: TakenLlmCall): Promise<void> {
    const heartbeat = setInterval(() => taken.working(), Math.max(500, this.deps.ackWaitMs / 3));
    try {
      await this.traced(taken);
      await taken.ack();
    } catch (err) {
      if (err instanceof CallAbandonedError) {
        taken.nak(0);
        return;
      }
      if (err instanceof NotStoredYetError) {
        taken.nak(backoffMs(taken.redeliveries + 1, UNSTORED_RETRY));
        return;
      }
      this.deps.logger.error({ err }, 'call request not handled; it will be redelivered');
      taken.nak(5_000);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** With tracing on, a request is handled in a span of the trace of the command that asked for the call. */
  private traced(taken: TakenLlmCall): Promise<void> {
    if (!tracingOn()) return this.handle(taken);
    const { phase, callId } = taken.call.data;
    const attributes = { 'topdog.phase': phase, 'topdog.call_id': callId, 'topdog.redeliveries': taken.redeliveries };
    return inSpan(`llm call ${phase}`, { kind: SpanKind.CONSUMER, attributes, parent: contextFromTraceparent(taken.call.metadata.traceparent) }, () =>
      this.handle(taken),
    );
  }

  private async handle(taken: TakenLlmCall): Promise<void> {
    const event = taken.call;
    const { workflowId, callId } = event.data;
    const log = this.deps.logger.child({ workflowId, callId, correlationId: event.correlationId });
    const { status, revision } = await this.untilAnswered(() => this.deps.orchestrator.callStatus(workflowId, callId, event.id), log);
    // Not stored, and the stream not past the revision its commit is appended on: its append may be under way.
    const storedRevision = revision ?? -1;
    const neverStored = storedRevision >= event.revision || (event.expectedRevision !== undefined && storedRevision > event.expectedRevision);
    if (status === 'unknown' && !neverStored && nowMs() - taken.queuedAtMs < this.deps.unstoredGraceMs) throw new NotStoredYetError();
    if (status !== 'pending') {
      // Recorded already (a redelivery), abandoned (the workflow was cancelled or sent back before
      // it started), superseded (queued again by a retried command), or never stored (another
      // event holds its revision, or its orchestrator never appended it).
      const level = status === 'unknown' ? 'warn' : 'info';
      log[level]({ status, revision, queuedRevision: event.revision, redeliveries: taken.redeliveries }, `call ${status}: not calling the model`);
      return;
    }
    log.info({ model: event.data.model, phase: event.data.phase, redeliveries: taken.redeliveries }, 'calling model');
    const result = await this.deps.runner.run(event.data, this.stopping.signal);
    this.deps.calls?.callFinished(event.data, result.outcome, (result.endedAtMs - result.startedAtMs) / 1000);
    const nextCallId = randomUUID();
    const record = (outcome: LlmCallOutcome) =>
      this.untilAnswered(
        () =>
          this.deps.orchestrator.record({
            type: 'RecordLlmResult',
            data: { workflowId, callId, outcome, nextCallId },
            metadata: { correlationId: event.correlationId, causationId: event.id, actor: 'llm-runner', now: new Date().toISOString() },
          }),
        log,
      );
    let recorded: Awaited<ReturnType<typeof record>>;
    try {
      recorded = await record(result.outcome);
    } catch (err) {
      // A result the orchestrator refuses for good (too large to store, say) must still end the
      // call, or the request would come back and the model be called again and again.
      if (!result.outcome.ok) throw err;
      log.error({ err }, 'the answer could not be recorded; recording the call as failed');
      const message = `the answer could not be recorded: ${(err as Error).message}`.slice(0, 2000);
      recorded = await record({ ok: false, errorClass: 'result_rejected', message, retryable: false, httpStatus: null, attempts: result.outcome.attempts });
    }
    this.deps.onCallTimed?.({ callId, beforeMs: result.startedAtMs - taken.queuedAtMs, afterMs: nowMs() - result.endedAtMs });
    log.info({ ok: result.outcome.ok, recorded: recorded.recorded, attempts: result.outcome.attempts }, 'call result recorded');
  }

  /** Asks until the orchestrator answers: it may be restarting, or NATS reconnecting. */
  private async untilAnswered<T>(ask: () => Promise<T>, log: Logger): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ask();
      } catch (err) {
        if (!isTransient(err)) throw err;
        if (this.stopping.signal.aborted) throw new CallAbandonedError('stopping');
        const wait = backoffMs(attempt);
        log.warn({ err, attempt, waitMs: wait }, 'orchestrator did not answer; asking again');
        await sleep(wait).catch(() => undefined);
      }
    }
  }
}
