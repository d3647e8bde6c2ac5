import type { ProjectorApplied, WorkflowSummary } from '@topdog/contracts';
import type { EventStore } from '@topdog/event-store';
import type { Logger } from 'pino';
import { ApplyLoop } from './apply-loop';
import { CaughtUpState } from './caught-up-state';
import { FlushScheduler } from './flush-scheduler';
import { PositionTracker } from './position-tracker';
import { ProgressBroadcast } from './progress-broadcast';
import { PromptCache } from './prompt-cache';
import type { ReadModelStore } from './read-model-store';
import { WorkflowListIndex } from '../read-models/workflow-list-index';
import { summaryOf } from '../read-models/workflow-summary';

export interface WorkflowProjectionDeps {
  events: EventStore;
  store: ReadModelStore;
  logger: Logger;
  instanceId: string;
  /** Tells others (the gateway) how far this instance has applied. */
  publishApplied: (applied: ProjectorApplied) => void;
  flushIntervalMs?: number;
  maxPendingWrites?: number;
  /** Memory for prompt views, in (approximate) bytes. */
  promptCacheBytes?: number;
  /** With the store's head ahead, how long the subscription may deliver nothing before it is set up again. */
  stallMs?: number;
}

/**
 * The projection of workflow events into the read models, assembled from its parts: the apply
 * loop (subscription, apply, resume, watchdog), the flush scheduler (read models and the
 * checkpoint to KV), the prompt cache, the caught-up state and the broadcast of the applied
 * position. This class only starts, rebuilds and stops them, and reports on them.
 */
export class WorkflowProjection {
  readonly tracker = new PositionTracker();
  readonly prompts: PromptCache;
  /** The listing: every workflow's summary, in memory, fed with every status written. */
  readonly listing = new WorkflowListIndex();
  /** The checkpoint this instance started from (0: a full replay). */
  startedFrom = 0;
  private readonly state: CaughtUpState;
  private readonly broadcast: ProgressBroadcast;
  private readonly flusher: FlushScheduler;
  private readonly loop: ApplyLoop;

  constructor(private readonly deps: WorkflowProjectionDeps) {
    this.prompts = new PromptCache(deps.promptCacheBytes);
    this.broadcast = new ProgressBroadcast({
      current: () => ({ instanceId: deps.instanceId, position: this.tracker.position, caughtUp: this.caughtUp }),
      publish: deps.publishApplied,
    });
    // Caught up or no longer: said at once, so the gateway stops or starts waiting for this instance.
    this.state = new CaughtUpState(() => this.broadcast.now());
    this.flusher = new FlushScheduler({
      store: deps.store,
      logger: deps.logger,
      position: () => this.tracker.position,
      catchingUp: () => !this.caughtUp,
      intervalMs: deps.flushIntervalMs,
      maxPendingWrites: deps.maxPendingWrites,
    });
    this.loop = new ApplyLoop({
      events: deps.events,
      store: {
        getStatus: (workflowId) => deps.store.getStatus(workflowId),
        setStatus: (status) => {
          deps.store.setStatus(status);
          this.listing.upsert(summaryOf(status));
        },
      },
      tracker: this.tracker,
      prompts: this.prompts,
      caughtUp: this.state,
      flusher: this.flusher,
      broadcast: this.broadcast,
      logger: deps.logger,
      stallMs: deps.stallMs,
    });
  }

  /** Caught up with the store when its run began, and not seen behind it since. */
  get caughtUp(): boolean {
    return this.state.caughtUp;
  }

  async start(): Promise<void> {
    const checkpoint = await this.deps.store.loadCheckpoint();
    this.startedFrom = checkpoint;
    this.tracker.reset(checkpoint);
    // The stored statuses are at least as far as the checkpoint (they are flushed before it),
    // and replayed events older than a status are skipped: the index ends as a rebuild's would.
    const stored: WorkflowSummary[] = [];
    for await (const status of this.deps.store.storedStatuses()) stored.push(summaryOf(status));
    this.listing.upsertAll(stored);
    await this.loop.start(false);
    this.flusher.start();
    this.broadcast.start();
    this.deps.logger.info({ checkpoint, head: this.loop.currentRun.target, listed: this.listing.size }, 'projection started');
  }

  /** How far the current run is: for progress bars and operators. */
  progress() {
    const run = this.loop.currentRun;
    return {
      position: this.tracker.position,
      target: run.target,
      from: run.from,
      eventsApplied: run.eventsApplied,
      caughtUp: this.caughtUp,
      runStartedAt: run.startedAt.toISOString(),
    };
  }

  /** Resolves true once the instance is caught up, false after the timeout. */
  waitUntilCaughtUp(timeoutMs: number): Promise<boolean> {
    return this.state.waitUntilCaughtUp(timeoutMs);
  }

  /** Stores pending read-model writes and the checkpoint (one flush at a time). */
  async flush(): Promise<void> {
    await this.flusher.flush();
  }

  /**
   * Drops every read model and replays all events from the start. Rebuilds asked for while one
   * is being set up run one after the other, never two loops at once.
   */
  rebuild(): Promise<void> {
    const next = this.rebuilding.then(() => this.rebuildOnce());
    this.rebuilding = next.catch(() => undefined);
    return next;
  }

  private rebuilding: Promise<void> = Promise.resolve();

  private async rebuildOnce(): Promise<void> {
    // Not caught up from now on, said at once: the gateway stops waiting for this instance and
    // queries wait, instead of reading an emptied store.
    this.state.suspend();
    await this.loop.stop();
    await this.flusher.settled();
    // Position 0 before the store is emptied, so that no scheduled flush stores the old checkpoint.
    this.tracker.reset(0);
    await this.deps.store.reset();
    this.prompts.clear();
    this.listing.clear();
    await this.loop.start(true);
    this.deps.logger.info({ head: this.loop.currentRun.target }, 'rebuilding read models');
  }

  async stop(): Promise<void> {
    this.broadcast.stop();
    await this.loop.stop();
    await this.flusher.stop();
  }
}
