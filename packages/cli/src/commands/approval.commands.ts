import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { describeTransition } from '../describe-transition';

interface CommandHeaders {
  ifMatch?: string;
  idempotencyKey?: string;
}

const headers = (o: CommandHeaders) => ({ ifMatch: o.ifMatch ? `"${o.ifMatch.replaceAll('"', '')}"` : undefined, idempotencyKey: o.idempotencyKey });

const withHeaders = (command: Command) =>
  command.option('--if-match <etag>', 'only at this revision (the status ETag)').option('--idempotency-key <key>', 'retry-safe key');

const reopened = (v: { previous_state: string; new_state: string; next_role: string; superseded_phases: string[]; call_id: string | null }) =>
  [
    `${v.previous_state} -> ${v.new_state} (${v.next_role})`,
    ...(v.superseded_phases.length ? [`superseded: ${v.superseded_phases.join(', ')}`] : []),
    ...(v.call_id ? [`model call: ${v.call_id}`] : []),
  ].join('\n');

/** approve, reject, send-back, cancel: a person's decisions on a workflow. */
export function registerApprovalCommands(program: Command, ctx: CliContext): void {
  withHeaders(
    program
      .command('approve <workflow-id>')
      .description('approve the answer a gated phase holds: the phase completes and the workflow moves on')
      .option('--comment <text>', "the approver's comment (recorded in the event)"),
  ).action((id: string, o: CommandHeaders & { comment?: string }) =>
    ctx.run(async ({ client, out }) => {
      const r = await client.approve(id, o.comment !== undefined ? { comment: o.comment } : {}, headers(o));
      out.result(r, describeTransition);
    }),
  );

  withHeaders(
    program
      .command('reject <workflow-id>')
      .description('reject the answer a gated phase holds: the phase opens again, the comment in its next prompt')
      .requiredOption('--comment <text>', 'why: reviewer feedback for the phase owner'),
  ).action((id: string, o: CommandHeaders & { comment: string }) =>
    ctx.run(async ({ client, out }) => {
      const r = await client.reject(id, { comment: o.comment }, headers(o));
      out.result(r, reopened);
    }),
  );

  withHeaders(
    program
      .command('send-back <workflow-id>')
      .description('re-open an earlier phase; the answers from it on are superseded')
      .requiredOption('--to <phase>', 'the phase to re-open (before the current one)')
      .requiredOption('--reason <text>', "why: it reaches the phase owner's next prompt"),
  ).action((id: string, o: CommandHeaders & { to: string; reason: string }) =>
    ctx.run(async ({ client, out }) => {
      const r = await client.sendBack(id, { toPhase: o.to.toUpperCase(), reason: o.reason }, headers(o));
      out.result(r, reopened);
    }),
  );

  withHeaders(program.command('cancel <workflow-id>').description('cancel the workflow for good').requiredOption('--reason <text>', 'why')).action(
    (id: string, o: CommandHeaders & { reason: string }) =>
      ctx.run(async ({ client, out }) => {
        const r = await client.cancel(id, { reason: o.reason }, headers(o));
        out.result(r, (v) => `${v.previous_state} -> ${v.current_state}`);
      }),
  );
}
