import { randomUUID } from 'node:crypto';
import type { ProjectorApplied, WorkflowStatus } from '@topdog/contracts';
import type { EventStore, StoredEvent, SubscribeToAllOptions } from '@topdog/event-store';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApplyLoop } from './apply-loop';
import { CaughtUpState } from './caught-up-state';
import { FlushScheduler } from './flush-scheduler';
import { PositionTracker } from './position-tracker';
import { ProgressBroadcast } from './progress-broadcast';
import { PromptCache } from './prompt-cache';

/**
 * The event-store port with one fault: `stall()` makes the open subscriptions stop delivering
 * without ending or failing (what nats.js's ordered consumer did after a nats-server SIGKILL),
 * while appends go on and the head moves.
 */
class StallableEventStore implements Pick<EventStore, 'subscribeToAll' | 'headPosition'> {
  readonly events: StoredEvent[] = [];
  subscriptions = 0;
  private stalledBelow = 0;
  private wake = new Set<() => void>();

  initialize(): StoredEvent {
    const workflowId = randomUUID();
    const event = {
      id: randomUUID(),
      streamId: `workflow-${workflowId}`,
      revision: 0,
      position: (this.events.length + 1) * 1000,
      occurredAt: '2026-01-01T00:00:00.000Z',
      correlationId: 'c',
      causationId: null,
      actor: 'a',
      schemaVersion: 1,
      metadata: {},
      type: 'WorkflowInitialized',
      data: {
        workflowId,
        projectId: 'p',
        buildId: null,
        userId: 'u',
        requirements: {},
        model: 'gpt-4',
        temperature: 0.7,
        maxTokens: 100,
        initialState: 'DISCOVERY',
      },
    } as StoredEvent;
    this.events.push(event);
    for (const wake of this.wake) wake();
    return event;
  }

  /** Every subscription open now goes silent for good. */
  stall(): void {
    this.stalledBelow = this.subscriptions + 1;
  }

  headPosition(): Promise<number> {
    return Promise.resolve(this.events.at(-1)?.position ?? 0);
  }

  async *subscribeToAll(options: SubscribeToAllOptions = {}): AsyncGenerator<StoredEvent> {
    const id = ++this.subscriptions;
    let next = this.events.findIndex((e) => e.position > (options.fromPosition ?? 0));
    if (next < 0) next = this.events.length;
    while (!options.signal?.aborted) {
      if (id >= this.stalledBelow && next < this.events.length) {
        yield this.events[next++]!;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wake.add(resolve);
        options.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }
}

const until = async (what: string, check: () => boolean, timeoutMs = 3_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

function setUp(events: StallableEventStore) {
  const logger = { warn: vi.fn(), info: vi.fn(), debug: vi.fn(), error: vi.fn() } as unknown as Logger & { warn: ReturnType<typeof vi.fn> };
  const statuses = new Map<string, WorkflowStatus>();
  const tracker = new PositionTracker();
  const sent: ProjectorApplied[] = [];
  const broadcast = new ProgressBroadcast({
    current: () => ({ instanceId: 'p1', position: tracker.position, caughtUp: caughtUp.caughtUp }),
    publish: (applied) => sent.push(applied),
  });
  const caughtUp = new CaughtUpState(() => broadcast.now());
  const flusher = new FlushScheduler({
    store: { pending: 0, needsFlush: () => false, flush: () => Promise.resolve() },
    logger,
    position: () => tracker.position,
    catchingUp: () => !caughtUp.caughtUp,
  });
  const loop = new ApplyLoop({
    events: events as unknown as EventStore,
    store: { getStatus: (id) => Promise.resolve(statuses.get(id)), setStatus: (s) => void statuses.set(s.workflowId, s) },
    tracker,
    prompts: new PromptCache(),
    caughtUp,
    flusher,
    broadcast,
    logger,
    stallMs: 800,
    headCheckMs: 50,
  });
  return { loop, tracker, caughtUp, statuses, sent, logger };
}

describe('ApplyLoop', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
  });

  it('notices a subscription that stops delivering while the store moves on, says it is behind, and subscribes again', async () => {
    const events = new StallableEventStore();
    for (let i = 0; i < 3; i++) events.initialize();
    const { loop, tracker, caughtUp, statuses, sent, logger } = setUp(events);
    stop = () => loop.stop();
    await loop.start(false);
    await until('the backlog applied', () => tracker.position === 3000 && caughtUp.caughtUp);

    events.stall();
    const stalledAt = Date.now();
    events.initialize();
    const last = events.initialize();

    await until('caught up no longer', () => !caughtUp.caughtUp, 1_000);
    expect(sent.at(-1)).toMatchObject({ position: 3000, caughtUp: false });
    await until('the stalled events applied', () => tracker.position === last.position && caughtUp.caughtUp);
    expect(Date.now() - stalledAt).toBeLessThan(1_500);

    expect(events.subscriptions).toBe(2);
    expect(statuses.size).toBe(5);
    expect(sent.at(-1)).toMatchObject({ position: last.position, caughtUp: true });
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ applied: 3000, head: last.position }), expect.stringContaining('stalled'));
  });

  it('leaves a quiet subscription alone: nothing stored, nothing missing', async () => {
    const events = new StallableEventStore();
    events.initialize();
    const { loop, tracker, caughtUp, logger } = setUp(events);
    stop = () => loop.stop();
    await loop.start(false);
    await until('the backlog applied', () => tracker.position === 1000);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(caughtUp.caughtUp).toBe(true);
    expect(events.subscriptions).toBe(1);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('never says it is caught up before it has applied the head it saw when its run began', async () => {
    const events = new StallableEventStore();
    for (let i = 0; i < 50; i++) events.initialize();
    const { loop, tracker, caughtUp, sent } = setUp(events);
    stop = () => loop.stop();
    await loop.start(false);
    expect(caughtUp.caughtUp).toBe(false);
    await until('caught up', () => caughtUp.caughtUp);
    expect(tracker.position).toBe(50_000);
    expect(sent.filter((s) => s.caughtUp && s.position < 50_000)).toEqual([]);
  });
});
