import {
  backoffMs,
  TopDogError,
  WORKFLOW_EVENT_SCHEMA_VERSION,
  WorkflowEnvelope,
  workflowStreamId,
  type CommandMetadata,
  type ProjectScope,
  type NewEvent,
  type QueuedLlmCall,
  type WorkflowEvent,
} from '@topdog/contracts';
import {
  AppendTooLargeError,
  chainEvents,
  EventStoreUnavailableError,
  hashOf,
  WrongExpectedRevisionError,
  type EventStore,
  type StoredEvent,
} from '@topdog/event-store';
import { PromptInterning } from '@topdog/prompts';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { visibleTo } from '../workflow/visibility';
import { evolve, initialState, type RecordedOutcome, type Workflow } from '../workflow/workflow.state';
import { KeyedSerialQueue } from './keyed-serial-queue';
import type { KnownPrompts } from './state-snapshot';
import { StateSnapshots, type Loaded, type SnapshotReadOutcome } from './state-snapshots';

/** What a command comes to: an answer without writing, or events to append. */
type Decision = { kind: 'answered'; outcome: CommandOutcome } | { kind: 'decided'; events: WorkflowEvent[] };

export type CommandOutcome =
  /** `decided`: the events appended, as the decider typed them; `position`: the last one's. */
  | { kind: 'appended'; decided: WorkflowEvent[]; revision: number; position: number }
  /** The command decided nothing (it was already applied): nothing was written. */
  | { kind: 'unchanged'; revision: number; position: number }
  | { kind: 'replayed'; outcome: RecordedOutcome; revision: number; position: number };

export interface CommandOptions {
  metadata: CommandMetadata;
  /** If-Match: the revision the caller saw; a mismatch is PRECONDITION_FAILED. */
  expectedRevision?: number;
  /**
   * The caller's projects, for a command on an existing workflow: one outside them is NOT_FOUND
   * before anything else is looked at (its revision, its idempotency keys), so nothing of it leaks.
   */
  projects?: ProjectScope;
  /** The command makes the workflow (initialize, fork): nothing of it is stored yet, so there is no status to warm up. */
  creates?: boolean;
}

/** Where requested model calls go for the llm-runners (the call queue). */
export interface CallQueue {
  enqueue(call: QueuedLlmCall): Promise<void>;
}

export interface WorkflowCommandHandlerDeps {
  store: EventStore;
  /**
   * Each LlmCallRequested is queued here before the commit holding it is appended: once the
   * append succeeds, the call is certainly queued. A call queued for an append that then failed
   * is dropped by the llm-runner (the orchestrator answers `unknown` or `superseded` for it).
   */
  calls: CallQueue;
  logger: Logger;
  newId: () => string;
  /** Attempts per command when another instance wrote first (revision conflicts). */
  maxAttempts?: number;
  /** The trace context of the command being handled, stored with its events (undefined with tracing off). */
  traceparent?: () => string | undefined;
  cacheSize?: number;
  /**
   * Told when a command's workflow is not cached and is about to be read from the store: the
   * composition root asks the projectors to read its status meanwhile, so that applying the
   * command's events does not wait for that read. A hint; nothing here waits for it.
   */
  warmUp?: (workflowId: string) => void;
  /**
   * How often the snapshots due are written (`StateSnapshots`), in ms; 0 writes them only on
   * `flushSnapshots`, `close` and when the cache evicts a changed workflow.
   */
  snapshotEveryMs?: number;
  /** Events past its last snapshot at which a workflow's next is due (default 8; 1: every change). */
  snapshotAfterEvents?: number;
  /** The role prompts every instance holds (its prompt library), which snapshots name rather than carry. */
  knownPrompts?: KnownPrompts;
  /** Told what each cold command made of its workflow's snapshot (a metric). */
  snapshotRead?: (outcome: SnapshotReadOutcome) => void;
}

/** Between attempts after a revision conflict: short, since the other writer has just finished. */
const CONFLICT_BACKOFF = { baseMs: 5, maxMs: 50 };

/** The store not answering is the caller's to retry (UNAVAILABLE, 503), never an INTERNAL error. */
function retryLaterWhenUnavailable(err: unknown): never {
  if (err instanceof EventStoreUnavailableError) throw new TopDogError('UNAVAILABLE', err.message, [], { cause: err });
  throw err;
}

/**
 * The command-handling loop: load the workflow (cached state with its revision, or its
 * stream folded with `evolve`), `decide`, append at the expected revision, and retry a
 * bounded number of times when another writer got there first. Commands on one workflow are
 * serialised within this process; the revision check keeps instances correct among themselves.
 */
export class WorkflowCommandHandler {
  private readonly cache: LRUCache<string, Loaded>;
  private readonly queue = new KeyedSerialQueue();
  private readonly prompts = new PromptInterning();
  private readonly snapshots: StateSnapshots;
  private readonly maxAttempts: number;
  private closed = false;

  constructor(private readonly deps: WorkflowCommandHandlerDeps) {
    this.snapshots = new StateSnapshots({
      store: deps.store,
      logger: deps.logger,
      held: (workflowId) => this.cache.peek(workflowId),
      prompts: this.prompts,
      known: deps.knownPrompts ?? new Map(),
      ...(deps.snapshotRead ? { counted: deps.snapshotRead } : {}),
      everyMs: deps.snapshotEveryMs ?? 200,
      afterEvents: deps.snapshotAfterEvents ?? 8,
    });
    this.cache = new LRUCache({
      // Bounded by count through maxSize: with `max`, lru-cache would allocate room for every entry up front.
      maxSize: deps.cacheSize ?? 50_000,
      sizeCalculation: () => 1,
      dispose: (loaded, workflowId, reason) => {
        if (reason === 'evict') this.snapshots.evicted(workflowId, loaded);
        else if (reason === 'delete') this.snapshots.dropped(workflowId);
      },
    });
    this.maxAttempts = deps.maxAttempts ?? 5;
  }

  /** Writes the snapshots due. */
  flushSnapshots(): Promise<void> {
    return this.snapshots.flush();
  }

  /**
   * Refuses commands from now on (UNAVAILABLE: another instance takes them), waits for those
   * under way, then stops writing snapshots on a timer and writes that of every workflow changed
   * since its last.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.idle();
    await this.snapshots.close();
  }

  handle(workflowId: string, options: CommandOptions, decide: (state: Workflow) => WorkflowEvent[]): Promise<CommandOutcome> {
    if (this.closed) return Promise.reject(new TopDogError('UNAVAILABLE', 'this orchestrator is stopping; send the command again'));
    return this.queue.run(workflowId, () => this.attempt(workflowId, options, decide)).catch(retryLaterWhenUnavailable);
  }

  private async attempt(workflowId: string, options: CommandOptions, decide: (state: Workflow) => WorkflowEvent[]): Promise<CommandOutcome> {
    for (let attempt = 1; ; attempt++) {
      const cached = this.cache.get(workflowId);
      // A command on a workflow this instance does not hold (not one that creates it): the
      // projectors are warmed, and its snapshot is read.
      const cold = !cached && attempt === 1 && !options.creates;
      if (cold) this.deps.warmUp?.(workflowId);
      const snapshotted = cold ? await this.readSnapshotted(workflowId) : undefined;
      let loaded = cached ?? snapshotted ?? (cold ? await this.refolded(workflowId) : await this.readOn(workflowId, EMPTY));
      let decision: Decision;
      try {
        decision = this.decideOn(workflowId, loaded, options, decide);
      } catch (err) {
        // A snapshot its version check let through that this code cannot decide on: the events
        // decide, and the snapshot is written again from them at the next flush.
        if (snapshotted && !(err instanceof TopDogError)) {
          this.deps.logger.warn({ err, workflowId }, 'deciding on the snapshot failed: its events are folded instead');
          loaded = await this.refolded(workflowId);
          decision = this.decideOn(workflowId, loaded, options, decide);
        } else {
          // Another instance may have appended since this one cached the workflow: a refusal (a
          // call it never requested, a state it is no longer in) is given on the state as stored.
          if (!cached || !(err instanceof TopDogError)) throw err;
          loaded = await this.readOn(workflowId, cached);
          if (loaded.revision === cached.revision) throw err;
          decision = this.decideOn(workflowId, loaded, options, decide);
        }
      }
      if (decision.kind === 'answered') return decision.outcome;
      const { events } = decision;
      try {
        return await this.append(workflowId, loaded, events, options.metadata);
      } catch (err) {
        if (err instanceof AppendTooLargeError) {
          throw new TopDogError('PAYLOAD_TOO_LARGE', `the events would be ${err.bytes} bytes, over the store's ${err.limit}-byte message limit`, [], {
            cause: err,
          });
        }
        if (!(err instanceof WrongExpectedRevisionError)) {
          // Whether a write the store did not acknowledge was stored is unknown: read it again next time.
          this.cache.delete(workflowId);
          throw err;
        }
        if (attempt >= this.maxAttempts) {
          // Nothing was written and the command is still valid: the caller may send it again.
          throw new TopDogError('UNAVAILABLE', `workflow ${workflowId} kept changing under this command; retry it`, [], { cause: err });
        }
        this.deps.logger.debug({ workflowId, attempt }, 'revision conflict, retrying');
        // The first conflict is most often this instance's cache behind another instance's append:
        // decided again at once. Conflicts after that are writers racing: they back off.
        if (attempt > 1) await new Promise((r) => setTimeout(r, backoffMs(attempt - 1, CONFLICT_BACKOFF)));
        // The cache brought up to the stream's tip: only the events appended since are read.
        await this.readOn(workflowId, loaded);
      }
    }
  }

  /** What a command comes to on a state: an answer without writing (a replay, nothing to do), or events to append. */
  private decideOn(workflowId: string, loaded: Loaded, options: CommandOptions, decide: (state: Workflow) => WorkflowEvent[]): Decision {
    if (options.projects) visibleTo(options.projects, workflowId, loaded.state);
    const replay = this.replayed(loaded, options.metadata);
    if (replay) return { kind: 'answered', outcome: replay };
    if (options.expectedRevision !== undefined && options.expectedRevision !== loaded.revision) {
      throw new TopDogError('PRECONDITION_FAILED', `workflow is at revision ${loaded.revision}, not ${options.expectedRevision}`, [
        { field: 'If-Match', reason: `the current ETag is "${loaded.revision}"` },
      ]);
    }
    const events = decide(loaded.state);
    if (events.length === 0) return { kind: 'answered', outcome: { kind: 'unchanged', revision: loaded.revision, position: loaded.position } };
    return { kind: 'decided', events };
  }

  /** The workflow's state as this instance knows it (cached, or folded from its stream). */
  async current(workflowId: string): Promise<Workflow> {
    return (await this.queue.run(workflowId, () => this.load(workflowId)).catch(retryLaterWhenUnavailable)).state;
  }

  /**
   * A workflow's state as stored now: the cached state brought up to the stream's tip. Another
   * orchestrator instance may have appended since this one cached it; a question whose wrong
   * answer costs something (is this model call still wanted?) must not be answered from a stale
   * cache. One read of the tip when nothing is newer.
   */
  async latest(workflowId: string): Promise<{ state: Workflow; revision: number }> {
    const { state, revision } = await this.queue.run(workflowId, () => this.catchUp(workflowId)).catch(retryLaterWhenUnavailable);
    return { state, revision };
  }

  /** A workflow's events, read afresh from the store, with the hash of the last (null when there is none). */
  async history(workflowId: string): Promise<{ events: WorkflowEnvelope[]; lastHash: string | null }> {
    const stored = await this.deps.store.readStream(workflowStreamId(workflowId)).catch(retryLaterWhenUnavailable);
    const last = stored.at(-1);
    return { events: stored.map((raw) => WorkflowEnvelope.parse(raw)), lastHash: last ? hashOf(last) : null };
  }

  /** The recorded outcome when this idempotency key was already applied to the workflow. */
  private replayed(loaded: Loaded, metadata: CommandMetadata): CommandOutcome | undefined {
    const key = metadata.idempotencyKey;
    if (!key || loaded.state.status === 'empty') return undefined;
    const outcome = loaded.state.outcomes[key];
    if (!outcome) return undefined;
    if (outcome.requestHash !== metadata.requestHash) {
      throw new TopDogError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request', [
        { field: 'Idempotency-Key', reason: 'already used with another body or endpoint' },
      ]);
    }
    return { kind: 'replayed', outcome, revision: loaded.revision, position: loaded.position };
  }

  private async append(workflowId: string, loaded: Loaded, events: WorkflowEvent[], metadata: CommandMetadata): Promise<CommandOutcome> {
    const extra: { idempotencyKey?: string; requestHash?: string; traceparent?: string } = {};
    if (metadata.idempotencyKey) extra.idempotencyKey = metadata.idempotencyKey;
    if (metadata.requestHash) extra.requestHash = metadata.requestHash;
    const traceparent = this.deps.traceparent?.();
    if (traceparent) extra.traceparent = traceparent;
    const streamId = workflowStreamId(workflowId);
    const firstRevision = loaded.revision + 1;
    const enveloped: NewEvent[] = events.map((event) => ({
      ...event,
      id: this.deps.newId(),
      occurredAt: metadata.now,
      correlationId: metadata.correlationId,
      causationId: metadata.causationId,
      actor: metadata.actor,
      schemaVersion: WORKFLOW_EVENT_SCHEMA_VERSION,
      metadata: { ...extra },
    }));
    // Tamper evidence: each event carries the hash of the one before it.
    const chained = chainEvents(loaded.lastHash, streamId, firstRevision, enveloped);
    for (const [index, event] of chained.events.entries()) {
      if (event.type === 'LlmCallRequested')
        await this.deps.calls.enqueue({ ...event, streamId, revision: firstRevision + index, expectedRevision: loaded.revision } as QueuedLlmCall);
    }
    const result = await this.deps.store.appendToStream(streamId, chained.events, {
      expectedRevision: loaded.revision < 0 ? 'no_stream' : loaded.revision,
      lastHash: chained.lastHash,
    });
    const state = events.reduce((s, e, i) => evolve(s, { ...e, id: chained.events[i]!.id, metadata: extra }), loaded.state);
    this.cache.set(workflowId, { state, revision: result.nextRevision, position: result.position, lastHash: chained.lastHash });
    this.snapshots.markChanged(workflowId, events.length);
    return { kind: 'appended', decided: events, revision: result.nextRevision, position: result.position };
  }

  /**
   * The workflow as stored now, read from its snapshot (checked against the stream) with the
   * events after it folded on, cached; undefined where it has none to use.
   */
  private async readSnapshotted(workflowId: string): Promise<Loaded | undefined> {
    const read = await this.snapshots.read(workflowId);
    if (!read) return undefined;
    if (read.after.length > 0) return this.foldOnto(workflowId, read.at, read.after);
    this.cache.set(workflowId, read.at);
    return read.at;
  }

  /**
   * The workflow folded from all its events, for a cold command that found no snapshot it could
   * use (none, another version, one the stream as stored does not hold, one it cannot decide on):
   * its snapshot is written from them at the next flush, for the next cold command.
   */
  private async refolded(workflowId: string): Promise<Loaded> {
    const loaded = await this.readOn(workflowId, EMPTY);
    this.snapshots.markDue(workflowId);
    return loaded;
  }

  private async load(workflowId: string): Promise<Loaded> {
    return this.cache.get(workflowId) ?? this.readOn(workflowId, EMPTY);
  }

  private async catchUp(workflowId: string): Promise<Loaded> {
    return this.readOn(workflowId, this.cache.get(workflowId) ?? EMPTY);
  }

  /** `from` with the stream's events after its revision applied (all of them from EMPTY), cached. */
  private async readOn(workflowId: string, from: Loaded): Promise<Loaded> {
    const stored = await this.deps.store.readStream(workflowStreamId(workflowId), { fromRevision: from.revision + 1 });
    return this.foldOnto(workflowId, from, stored);
  }

  /** `from` with stored events after its revision applied, cached (and counted toward its snapshot) when there were any. */
  private foldOnto(workflowId: string, from: Loaded, stored: readonly StoredEvent[]): Loaded {
    if (stored.length === 0) return from;
    let { state, revision, position } = from;
    for (const raw of stored) {
      const event = this.prompts.event(WorkflowEnvelope.parse(raw));
      state = evolve(state, event);
      revision = event.revision;
      position = event.position;
    }
    const loaded = { state, revision, position, lastHash: hashOf(stored.at(-1)!) };
    this.cache.set(workflowId, loaded);
    this.snapshots.markChanged(workflowId, stored.length);
    return loaded;
  }
}

/** Nothing stored yet. */
const EMPTY: Loaded = { state: initialState(), revision: -1, position: 0, lastHash: null };
