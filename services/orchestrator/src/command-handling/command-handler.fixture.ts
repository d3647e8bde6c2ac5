import { randomUUID } from 'node:crypto';
import type { CommandMetadata, QueuedLlmCall } from '@topdog/contracts';
import type { EventStore } from '@topdog/event-store';
import { pino } from 'pino';
import { deciding as decidingWith, type WorkflowDecision } from '../workflow/workflow.decide';
import { initializeDecision, testContext } from '../workflow/workflow.fixture';
import { WorkflowCommandHandler, type CallQueue, type WorkflowCommandHandlerDeps } from './workflow-command-handler';

/** A call queue in memory: what the handler queued, in order. */
export const queuedCalls = (): CallQueue & { queued: QueuedLlmCall[] } => {
  const queued: QueuedLlmCall[] = [];
  return { queued, enqueue: async (call) => void queued.push(call) };
};

/**
 * For the command handler's tests: a handler on a given store (with no timer: snapshots are
 * written on `flushSnapshots`, on `close` and when the cache evicts a workflow; every change is
 * due unless `snapshotAfterEvents` says otherwise), commands, and their metadata.
 */
export const handlerOn = (store: EventStore, deps: Partial<WorkflowCommandHandlerDeps> = {}): WorkflowCommandHandler =>
  new WorkflowCommandHandler({
    store,
    calls: queuedCalls(),
    logger: pino({ level: 'silent' }),
    newId: randomUUID,
    snapshotEveryMs: 0,
    snapshotAfterEvents: 1,
    ...deps,
  });

export const metadata = (extra: Partial<CommandMetadata> = {}): CommandMetadata => ({
  correlationId: 'corr-1',
  causationId: null,
  actor: 'tester',
  now: '2026-12-01T00:00:00.000Z',
  ...extra,
});

/** What the handler is given to decide with: the workflow's decider on the command. */
export const deciding = (command: WorkflowDecision) => decidingWith(command, testContext);

export const initialize = (workflowId: string, extra: { autoAdvance?: boolean } = {}): WorkflowDecision =>
  initializeDecision({ workflowId, autoAdvance: extra.autoAdvance ?? false, ...(extra.autoAdvance ? { firstCallId: randomUUID() } : {}) });

export const complete = (workflowId: string, aiResponse = 'answer'): WorkflowDecision => ({
  type: 'CompletePhase',
  data: { workflowId, aiResponse, phaseResult: { ok: true }, projects: ['*'] },
});

/** Commands an instance applies one after another. */
export async function applyAll(handler: WorkflowCommandHandler, workflowId: string, commands: readonly WorkflowDecision[]): Promise<void> {
  for (const command of commands) await handler.handle(workflowId, { metadata: metadata() }, deciding(command));
}
