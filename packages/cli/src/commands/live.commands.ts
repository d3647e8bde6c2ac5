import type { LiveEvent, TopDogClient } from '@topdog/client';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { EXIT } from '../exit-codes';
import { describeRecord } from '../describe-record';
import { TAKES_THE_ANSWER } from '@topdog/contracts';
import { afterHandRun, waitingAnswer, type Answered } from '../accept-answer';

const FOLLOWED = [
  'token',
  'LlmCallRequested',
  'LlmCallSucceeded',
  'LlmCallFailed',
  'BudgetExceeded',
  'PhaseOutputRejected',
  'PhaseCompleted',
  'WorkflowCompleted',
  'ApprovalRequested',
  'PhaseApproved',
  'PhaseRejected',
  'PhaseSentBack',
  'WorkflowCancelled',
];

/** The fallback call requested right after the failure at `revision`, if one was. */
async function fallbackAfter(client: TopDogClient, workflowId: string, revision: number): Promise<string | undefined> {
  // The status at the next revision (404 when there is none): its running call, if a fallback.
  const next = await client.status(workflowId, { at: revision + 1 }).catch(() => undefined);
  return next?.llm.running?.purpose === 'fallback' ? next.llm.running.call_id : undefined;
}

/** run (a phase with live token output) and tail (live events; survives a gateway restart). */
export function registerLiveCommands(program: Command, ctx: CliContext): void {
  program
    .command('run <workflow-id>')
    .description("run the current phase with the workflow's model, printing the answer as it streams (with auto-advance: every phase to the end)")
    .option('--accept', 'without auto-advance: once the model answers, complete the phase with its answer (unless the workflow moved on meanwhile)')
    .action((id: string, o: { accept?: boolean }) =>
      ctx.run(async ({ client, out }) => {
        const before = await client.status(id);
        const now = Number(before.etag?.replaceAll('"', '') ?? -1);
        const autoAdvance = before.llm.auto_advance;
        if (o.accept && autoAdvance) {
          out.error(new Error('--accept is for a phase run by hand: this workflow auto-advances, taking each answer itself'));
          return EXIT.USAGE;
        }
        // An auto-advancing workflow runs by itself: show its run so far, then follow it; ask
        // for a call only when nothing runs (it stopped, or it does not auto-advance).
        // A finished workflow (complete or cancelled) is shown from the start to its end, whichever way it ran.
        const finished = before.is_complete || before.cancelled !== null;
        const since = autoAdvance || finished ? -1 : now;
        const request = !finished && !before.llm.running && (!autoAdvance || before.llm.stopped !== null);
        if (o.accept && request) {
          const waiting = await waitingAnswer(client, id);
          if ('callId' in waiting) {
            out.error(new Error(`an answer already waits on ${before.current_state}: topdog accept ${id} takes it (the model was not asked again)`));
            return EXIT.CONFLICT;
          }
        }
        const abort = new AbortController();
        let connected!: () => void;
        const open = new Promise<void>((resolve) => (connected = resolve));
        const events = client.events(id, {
          types: FOLLOWED,
          signal: abort.signal,
          onConnected: () => connected(),
          onReconnect: () => process.stderr.write('\n(reconnecting…)\n'),
        });
        const first = events.next(); // opens the stream; the call is requested only once it is open
        await Promise.race([open, first]);
        // The header of the call asked for here is printed at once (its tokens may come before
        // its event does), and not again when its LlmCallRequested arrives.
        let requestedCall: string | undefined;
        if (request) {
          try {
            const requested = await client.runPhase(id);
            requestedCall = requested.call_id;
            if (!out.json) out.line(`${requested.phase} (${requested.role}, ${requested.model}):`);
          } catch (err) {
            abort.abort();
            await first.catch(() => undefined);
            throw err;
          }
        }
        /** Run by hand, the call whose answer ends the run: the one asked for here, or the one running already. */
        let awaited = requestedCall ?? before.llm.running?.call_id;
        /** The calls whose answers came as tokens here. */
        const streamed = new Set<string>();
        let code: number = EXIT.OK;
        /** The call a phase run by hand stopped on: its answer waits for a person. */
        let answered: Answered | undefined;
        for (let next = await first; !next.done; next = await events.next()) {
          const e = next.value;
          if (e.kind === 'token') {
            streamed.add(e.delta.callId);
            if (out.json) out.line(JSON.stringify({ type: 'token', ...e.delta }));
            else out.write(e.delta.delta);
            continue;
          }
          if (e.kind !== 'event' || e.record.revision <= since) continue;
          const { type } = e.record;
          const data = e.record.data as { callId?: string; phase?: string; role?: string; model?: string; willRetry?: boolean; content?: string };
          if (out.json) out.line(JSON.stringify(e.record));
          else if (type === 'LlmCallRequested') {
            if (data.callId !== requestedCall) out.line(`\n${data.phase} (${data.role}, ${data.model}):`);
          } else {
            // An answer given before the stream opened came with no tokens (they are not stored): its text is in the event.
            if (type === 'LlmCallSucceeded' && data.callId && !streamed.has(data.callId) && data.content) out.write(data.content);
            out.line(`\n[${describeRecord(e.record)}]`);
          }
          const live = e.record.revision > now;
          if (live && type === 'LlmCallFailed' && (autoAdvance || data.callId === awaited)) {
            // A fallback model's call comes in the same commit as the failure: follow it.
            const fallback = await fallbackAfter(client, id, e.record.revision);
            if (fallback) {
              awaited = fallback;
              continue;
            }
          }
          // A gated phase waits for a person (topdog approve / reject); a cancelled workflow is done.
          // A workflow held for approval before the run ends at the request that holds it.
          const holdsIt = type === 'ApprovalRequested' && before.awaiting_approval?.requested_at === e.record.occurred_at;
          const ended =
            (type === 'WorkflowCompleted' && (live || before.is_complete)) ||
            (type === 'WorkflowCancelled' && (live || before.cancelled !== null)) ||
            (type === 'ApprovalRequested' && (live || holdsIt));
          // Run by hand, anything that takes the answer before it comes (a person completed the
          // phase or sent it back, another call, a cancel) ends the wait: the answer will not be used.
          const movedOn = live && !autoAdvance && TAKES_THE_ANSWER.has(type) && !(type === 'LlmCallRequested' && data.callId === awaited);
          if (movedOn) {
            out.error(new Error(`the workflow moved on (${type}): the answer of the call run here will not be taken`));
            code = EXIT.CONFLICT;
            break;
          }
          const stop =
            live &&
            ((type === 'LlmCallFailed' && (autoAdvance || data.callId === awaited)) ||
              type === 'BudgetExceeded' ||
              (type === 'PhaseOutputRejected' && !data.willRetry) ||
              (!autoAdvance && type === 'LlmCallSucceeded' && data.callId === awaited));
          if (ended) break;
          if (stop) {
            if (type === 'LlmCallFailed') code = EXIT.UNAVAILABLE;
            if (type === 'BudgetExceeded' || type === 'PhaseOutputRejected') code = EXIT.REFUSED;
            if (type === 'LlmCallSucceeded' && data.callId) answered = { callId: data.callId, revision: e.record.revision };
            break;
          }
        }
        abort.abort();
        await events.return(undefined);
        if (answered) return afterHandRun(client, out, id, answered, o.accept === true);
        if (o.accept && code === EXIT.OK) {
          out.error(new Error('nothing taken: the run ended without an answer to accept'));
          return EXIT.CONFLICT;
        }
        return code;
      }),
    );

  program
    .command('tail [workflow-id]')
    .description("follow events live (one workflow's, or all); reconnects after a gateway restart without a gap")
    .option('--after <position>', 'start after this position (default: the beginning)', Number)
    .option('--types <types>', 'comma-separated event types (token for live token deltas)')
    .option('--project <id>', 'only this project (all workflows)')
    .option('--limit <n>', 'stop after this many events', Number)
    .action((id: string | undefined, o: { after?: number; types?: string; project?: string; limit?: number }) =>
      ctx.run(async ({ client, out }) => {
        const abort = new AbortController();
        process.once('SIGINT', () => abort.abort());
        const options = {
          after: o.after,
          types: o.types?.split(','),
          signal: abort.signal,
          onReconnect: (attempt: number, last: string | undefined) =>
            process.stderr.write(`(reconnecting, attempt ${attempt}, after ${last ?? 'the start'})\n`),
        };
        const events: AsyncGenerator<LiveEvent> = id ? client.events(id, options) : client.allEvents({ ...options, projectId: o.project });
        let seen = 0;
        for await (const e of events) {
          if (e.kind === 'token') {
            out.line(out.json ? JSON.stringify({ type: 'token', ...e.delta }) : `        token     ${e.delta.phase} ${JSON.stringify(e.delta.delta)}`);
            continue;
          }
          if (e.kind !== 'event') continue;
          out.line(
            out.json ? JSON.stringify(e.record) : `${e.id.padStart(10)}  ${e.record.type.padEnd(20)} ${e.record.stream_id}  ${describeRecord(e.record)}`,
          );
          if (o.limit && ++seen >= o.limit) break;
        }
        abort.abort();
      }),
    );
}
