import { WorkflowEnvelope, type ProjectorCheckpoint } from '@topdog/contracts';
import type { EventStore, StoredEvent } from '@topdog/event-store';
import { retryDelayMs } from '@topdog/runtime';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { evolvePromptView, type PromptView } from '../read-models/prompt-context';
import { evolveStatus } from '../read-models/workflow-status';
import { PositionTracker } from './position-tracker';
import type { ReadModelStore } from './read-model-store';

/** How often pending writes are stored while catching up. */
const CATCH_UP_FLUSH_MS = 1_000;

export interface WorkflowProjectionDeps {
  events: EventStore;
  store: ReadModelStore;
  logger: Logger;
  instanceId: string;
  /** Tells others (the gateway) how far this instance has applied. */
  broadcast: (checkpoint: ProjectorCheckpoint) => void;
  flushIntervalMs?: number;
  maxPendingWrites?: number;
  /** Memory for prompt views, in (approximate) bytes. */
  promptCacheBytes?: number;
}

/**
 * Applies every workflow event, in order, to the read models, from the stored checkpoint:
 * catch-up, then live. Idempotent by revision, so events replayed after a crash are skipped.
 * The loop restarts from the last applied position after any failure (NATS down, say).
 */
export class WorkflowProjection {
  readonly tracker = new PositionTracker();
  readonly prompts: LRUCache<string, PromptView>;
  private abort = new AbortController();
  private running: Promise<void> | undefined;
  private headAtStart = 0;
  private caughtUpFlag = false;
  private caughtUpWaiters: (() => void)[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private broadcastScheduled = false;
  /** True once this instance has emptied the store for a rebuild: nothing in it predates this run. */
  private rebuildingFromEmpty = false;
  /** The checkpoint this instance started from (0: a full replay). */
  startedFrom = 0;
  /** Events applied since the current run (start or rebuild) began, and when it began. */
  private eventsApplied = 0;
  private runStartedAt = new Date();

  constructor(private readonly deps: WorkflowProjectionDeps) {
    this.prompts = new LRUCache({ maxSize: deps.promptCacheBytes ?? 64 * 2 ** 20, sizeCalculation: (view) => view.bytes });
  }

  get caughtUp(): boolean {
    return this.caughtUpFlag;
  }

  async start(): Promise<void> {
    const checkpoint = await this.deps.store.loadCheckpoint();
    this.startedFrom = checkpoint;
    this.tracker.reset(checkpoint);
    await this.beginFrom(checkpoint);
    this.flushTimer = setInterval(() => void this.flushOnSchedule(), this.deps.flushIntervalMs ?? 100);
    this.heartbeat = setInterval(() => this.publishCheckpoint(), 1000);
    this.deps.logger.info({ checkpoint, head: this.headAtStart }, 'projection started');
  }

  /** How far the current run is: for progress bars and operators. */
  progress() {
    return {
      position: this.tracker.position,
      target: this.headAtStart,
      eventsApplied: this.eventsApplied,
      caughtUp: this.caughtUpFlag,
      runStartedAt: this.runStartedAt.toISOString(),
    };
  }

  private async beginFrom(position: number): Promise<void> {
    this.eventsApplied = 0;
    this.runStartedAt = new Date();
    this.headAtStart = await this.deps.events.headPosition();
    this.setCaughtUp(this.headAtStart <= position);
    this.abort = new AbortController();
    this.running = this.loop(this.abort.signal);
  }

  /** Resolves once the instance has applied what was stored when it started, or after the timeout. */
  async waitUntilCaughtUp(timeoutMs: number): Promise<boolean> {
    if (this.caughtUpFlag) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.caughtUpWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private setCaughtUp(value: boolean): void {
    this.caughtUpFlag = value;
    if (!value) return;
    for (const w of this.caughtUpWaiters.splice(0)) w();
    this.publishCheckpoint();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const subscription = this.deps.events.subscribeToAll({
          fromPosition: this.tracker.position,
          filter: { category: 'workflow' },
          signal,
        });
        for await (const event of subscription) {
          await this.apply(event);
          failures = 0;
        }
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        this.deps.logger.warn({ err, position: this.tracker.position }, 'projection interrupted; resuming');
        await new Promise((r) => setTimeout(r, retryDelayMs(failures)));
      }
    }
  }

  private async apply(raw: StoredEvent): Promise<void> {
    const parsed = WorkflowEnvelope.safeParse(raw);
    if (!parsed.success) {
      this.deps.logger.error({ position: raw.position, type: raw.type, streamId: raw.streamId }, 'skipping an event that does not match its schema');
    } else {
      const event = parsed.data;
      const workflowId = event.data.workflowId;
      // Past what was stored when this instance started, an initialization is certainly new;
      // before it (a replay after a crash) its status may already be stored, further along,
      // unless this run began by emptying the store.
      const certainlyNew = event.type === 'WorkflowInitialized' && (this.rebuildingFromEmpty || raw.position > this.headAtStart);
      const current = certainlyNew ? undefined : await this.deps.store.getStatus(workflowId);
      if (!current || event.revision > current.revision) {
        const next = evolveStatus(current, event);
        if (next) this.deps.store.setStatus(next);
      }
      this.applyToPromptView(workflowId, event);
    }
    this.tracker.advance(raw.position);
    this.eventsApplied++;
    if (!this.caughtUpFlag && raw.position >= this.headAtStart) this.setCaughtUp(true);
    this.scheduleBroadcast();
    if (this.deps.store.pending >= (this.deps.maxPendingWrites ?? 20_000)) await this.flush();
  }

  /**
   * Prompt views are a cache: live, each event updates the view in memory; while catching up
   * (a start, a rebuild) none is built, since most workflows of a backlog are never asked for
   * again, and one that is gets its view folded from its stream on demand.
   */
  private applyToPromptView(workflowId: string, event: WorkflowEnvelope): void {
    const view = this.prompts.get(workflowId);
    if (!this.caughtUpFlag) {
      if (view) this.prompts.delete(workflowId);
    } else if (event.type === 'WorkflowInitialized' || view?.revision === event.revision - 1) {
      const next = evolvePromptView(view, event);
      if (next) this.prompts.set(workflowId, next);
    } else if (view && view.revision < event.revision) {
      this.prompts.delete(workflowId);
    }
  }

  private flushing: Promise<void> | undefined;
  private lastFlushAt = 0;

  /**
   * Live, pending writes are stored every interval. While catching up (a replay, a rebuild)
   * they are stored at most once a second, or when `maxPendingWrites` are pending: a workflow
   * touched by several events of the backlog is then written once, not once per interval.
   */
  private flushOnSchedule(): void {
    if (!this.caughtUpFlag && Date.now() - this.lastFlushAt < CATCH_UP_FLUSH_MS) return;
    void this.flush();
  }

  /** Stores pending read-model writes and the checkpoint (one flush at a time). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const position = this.tracker.position;
    if (!this.deps.store.needsFlush(position)) return Promise.resolve();
    this.lastFlushAt = Date.now();
    this.flushing = this.deps.store
      .flush(position)
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'read model flush failed; will retry'))
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private scheduleBroadcast(): void {
    if (this.broadcastScheduled) return;
    this.broadcastScheduled = true;
    setImmediate(() => {
      this.broadcastScheduled = false;
      this.publishCheckpoint();
    });
  }

  private publishCheckpoint(): void {
    this.deps.broadcast({ instanceId: this.deps.instanceId, position: this.tracker.position, caughtUp: this.caughtUpFlag });
  }

  /** Drops every read model and replays all events from the start. */
  async rebuild(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.flushing;
    await this.deps.store.reset();
    this.rebuildingFromEmpty = true;
    this.prompts.clear();
    this.tracker.reset(0);
    await this.beginFrom(0);
    this.deps.logger.info({ head: this.headAtStart }, 'rebuilding read models');
  }

  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.heartbeat);
    this.abort.abort();
    await this.running;
    await this.flushing;
    await this.flush();
  }
}
