import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs, WorkflowEnvelope } from '@topdog/contracts';
import type { EventStore, StoredEvent } from '@topdog/event-store';
import { contextFromTraceparent, inSpan, SpanKind, tracingOn } from '@topdog/runtime';
import type { Logger } from 'pino';
import { evolveStatus } from '../read-models/workflow-status';
import type { CaughtUpState } from './caught-up-state';
import type { FlushScheduler } from './flush-scheduler';
import type { PositionTracker } from './position-tracker';
import type { ProgressBroadcast } from './progress-broadcast';
import type { PromptCache } from './prompt-cache';
import type { ReadModelStore } from './read-model-store';
import { StallWatchdog } from './stall-watchdog';

/** A head read at least this long ago (at an earlier check) and still not applied: behind. */
const BEHIND_AFTER_MS = 500;

export interface ApplyLoopDeps {
  events: EventStore;
  store: Pick<ReadModelStore, 'getStatus' | 'setStatus'>;
  tracker: PositionTracker;
  prompts: PromptCache;
  caughtUp: CaughtUpState;
  flusher: FlushScheduler;
  broadcast: ProgressBroadcast;
  logger: Logger;
  /** With the store's head ahead, how long the subscription may deliver nothing before it is set up again. */
  stallMs?: number;
  /** How often the store's head is read. */
  headCheckMs?: number;
}

/** One pass over the store: a start, or a rebuild. */
export interface ProjectionRun {
  /** The store's head when the run began: the run has caught up once it is applied. */
  readonly target: number;
  /** The position the run began from (0 for a rebuild). */
  readonly from: number;
  /** The run began by emptying the read models: nothing stored predates it. */
  readonly fromEmpty: boolean;
  readonly startedAt: Date;
  eventsApplied: number;
}

/**
 * Applies every workflow event, in order, to the read models, from the tracker's position:
 * catch-up, then live. Idempotent by revision, so events delivered again after a crash are
 * skipped. The subscription is set up again from the last applied position after a failure
 * (NATS down, say), and when the watchdog sees it silent while the store's head moves on.
 */
export class ApplyLoop {
  private run: ProjectionRun = { target: 0, from: 0, fromEmpty: false, startedAt: new Date(), eventsApplied: 0 };
  private stopping = new AbortController();
  private running: Promise<void> | undefined;
  /** Aborts the current subscription only (the loop then subscribes again). */
  private subscription: AbortController | undefined;
  private readonly watchdog: StallWatchdog;
  private headTimer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly deps: ApplyLoopDeps) {
    this.watchdog = new StallWatchdog({ stallMs: deps.stallMs ?? 3_000, lagMs: BEHIND_AFTER_MS }, Date.now());
  }

  get currentRun(): Readonly<ProjectionRun> {
    return this.run;
  }

  /** Begins a run from the tracker's position; `fromEmpty` when the read models were just emptied. */
  async start(fromEmpty: boolean): Promise<void> {
    if (this.running && !this.stopping.signal.aborted) throw new Error('the apply loop is already running; stop it first');
    const target = await this.deps.events.headPosition();
    this.run = { target, from: this.deps.tracker.position, fromEmpty, startedAt: new Date(), eventsApplied: 0 };
    this.watchdog.reset(Date.now());
    this.deps.caughtUp.begin(target, this.deps.tracker.position);
    this.stopping = new AbortController();
    this.running = this.loop(this.stopping.signal);
    this.headTimer ??= setInterval(() => void this.checkHead(), this.deps.headCheckMs ?? 1_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.headTimer);
    this.headTimer = undefined;
    this.stopping.abort();
    await this.running;
  }

  private async loop(stopping: AbortSignal): Promise<void> {
    let failures = 0;
    while (!stopping.aborted) {
      const subscription = new AbortController();
      this.subscription = subscription;
      this.watchdog.subscribed(Date.now());
      let failure: unknown;
      try {
        const events = this.deps.events.subscribeToAll({
          fromPosition: this.deps.tracker.position,
          filter: { category: 'workflow' },
          signal: AbortSignal.any([stopping, subscription.signal]),
        });
        for await (const event of events) {
          this.watchdog.delivered(Date.now());
          await this.apply(event);
          failures = 0;
        }
        // A subscription ends only when aborted; one that ends by itself failed somewhere.
        if (!subscription.signal.aborted) failure = new Error('the event subscription ended');
      } catch (err) {
        failure = err;
      } finally {
        this.subscription = undefined;
      }
      if (stopping.aborted || failure === undefined) continue;
      failures++;
      this.deps.logger.warn({ err: failure, position: this.deps.tracker.position }, 'projection interrupted; resuming');
      await sleep(backoffMs(failures), undefined, { signal: stopping }).catch(() => undefined);
    }
  }

  private async apply(raw: StoredEvent): Promise<void> {
    const parsed = WorkflowEnvelope.safeParse(raw);
    if (!parsed.success) {
      this.deps.logger.error({ position: raw.position, type: raw.type, streamId: raw.streamId }, 'skipping an event that does not match its schema');
    } else if (tracingOn() && parsed.data.metadata.traceparent && this.deps.caughtUp.caughtUp) {
      // Applied live: part of the trace of the command that wrote it. A rebuild or a catch-up
      // makes none, or it would flood old traces with a span per event of history.
      const attributes = { 'topdog.event_type': parsed.data.type, 'topdog.position': raw.position };
      await inSpan(
        `projector apply ${parsed.data.type}`,
        { kind: SpanKind.CONSUMER, attributes, parent: contextFromTraceparent(parsed.data.metadata.traceparent) },
        () => this.applyToReadModels(parsed.data, raw.position),
      );
    } else {
      await this.applyToReadModels(parsed.data, raw.position);
    }
    this.deps.tracker.advance(raw.position);
    this.run.eventsApplied++;
    this.deps.caughtUp.applied(raw.position);
    this.deps.broadcast.soon();
    await this.deps.flusher.whenFull(this.stopping.signal);
    if (this.watchdog.applied(raw.position, Date.now())) this.deps.caughtUp.setBehind(false);
  }

  private async applyToReadModels(event: WorkflowEnvelope, position: number): Promise<void> {
    // Past what was stored when this run began, an initialization is certainly new; before it
    // (a replay after a crash) its status may already be stored, further along, unless this
    // run began by emptying the store.
    const certainlyNew = event.type === 'WorkflowInitialized' && (this.run.fromEmpty || position > this.run.target);
    const current = certainlyNew ? undefined : await this.deps.store.getStatus(event.data.workflowId);
    if (!current || event.revision > current.revision) {
      const next = evolveStatus(current, event);
      if (next) this.deps.store.setStatus(next);
    }
    this.deps.prompts.apply(event, this.deps.caughtUp.caughtUp);
  }

  /** The watchdog's round: the store's head against what is applied. */
  private async checkHead(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const head = await this.headWithin(this.deps.headCheckMs ?? 1_000);
      const applied = this.deps.tracker.position;
      const verdict = this.watchdog.check(head, applied, Date.now());
      this.deps.caughtUp.setBehind(verdict.behind);
      if (verdict.stalled && this.subscription && !this.subscription.signal.aborted) {
        this.deps.logger.warn(
          { applied, head, silentForMs: verdict.silentForMs },
          'the event subscription stalled: the store is ahead and nothing was delivered; subscribing again from the last applied position',
        );
        this.subscription.abort();
      }
    } catch (err) {
      // NATS down, say: the loop's own retries deal with it, and no verdict is better than a guess.
      this.deps.logger.debug({ err }, 'could not read the event store head');
    } finally {
      this.checking = false;
    }
  }

  /**
   * The store's head, or a failure after `ms`: a read sent while NATS is down waits out the
   * request timeout (seconds), and the round after the server's return must not wait for it.
   * The head is the whole store's, while the loop follows the `workflow` category: the two agree
   * because the event stream holds workflow streams only. A store holding other categories would
   * need the head of the category (the port's `headPosition` takes no filter yet).
   */
  private headWithin(ms: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the event store's head did not come within ${ms} ms`)), ms);
    });
    return Promise.race([this.deps.events.headPosition(), late]).finally(() => clearTimeout(timer));
  }
}
