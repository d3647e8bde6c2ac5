import { InvalidArgumentError, type Command } from 'commander';
import type { CompletePhaseRequest, ForkRequest, InitializeWorkflowRequest } from '@topdog/contracts';
import type { CliContext } from '../cli-context';
import { readArgFile } from '../file-arg';
import { table } from '../output';
import { acceptAnswer, describeAcceptance, waitingAnswer } from '../accept-answer';
import { describeTransition } from '../describe-transition';
import { EXIT } from '../exit-codes';

/** A repeatable `ROLE=value` option, collected by role (the role upper-cased); `expected` names the form in the error. */
function roleArg(expected: string, read: (value: string) => string) {
  return (arg: string, previous: Record<string, string> = {}): Record<string, string> => {
    const at = arg.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`expected ${expected}`);
    return { ...previous, [arg.slice(0, at).trim().toUpperCase()]: read(arg.slice(at + 1)) };
  };
}

/** --role-prompt: `ROLE=text` or `ROLE=@file.md`. */
const rolePromptArg = roleArg('ROLE=text or ROLE=@file.md', (text) => (text.startsWith('@') ? readArgFile(text.slice(1)) : text));

/** --role-model: `ROLE=model`. */
const roleModelArg = roleArg('ROLE=model', (model) => model.trim());

/** `@file.json` or inline JSON, for --requirements and --result. */
function jsonArg(value: string): Record<string, unknown> {
  const text = value.startsWith('@') ? readArgFile(value.slice(1)) : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('must be a JSON object');
  return parsed as Record<string, unknown>;
}

const pct = (p: number) => `${Math.round(p * 100)}%`;

/** Commander's parsed options, as the option definitions below declare them. */
interface InitOptions {
  project: string;
  user: string;
  build?: string;
  requirements?: Record<string, unknown>;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  autoAdvance?: boolean;
  budgetUsd?: number;
  budgetTokens?: number;
  approvalRequired?: string[];
  rolePrompt?: Record<string, string>;
  roleModel?: Record<string, string>;
  idempotencyKey?: string;
}
interface CompleteOptions {
  response: string;
  result?: Record<string, unknown>;
  expectedState?: string;
  ifMatch?: string;
  idempotencyKey?: string;
}

/** init, status, complete, prompt: the original four endpoints. */
export function registerWorkflowCommands(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('start a workflow in DISCOVERY')
    .requiredOption('--project <id>', 'project id')
    .requiredOption('--user <id>', 'user id')
    .option('--build <id>', 'build id')
    .option('--requirements <json>', 'requirements as JSON, or @file.json', jsonArg)
    .option('--model <name>', 'model (see `topdog models`)')
    .option('--temperature <t>', 'sampling temperature', Number)
    .option('--max-tokens <n>', 'max output tokens per call', Number)
    .option('--auto-advance', 'let the model run every phase')
    .option('--budget-usd <usd>', 'cost budget over the whole workflow', Number)
    .option('--budget-tokens <n>', 'token budget over the whole workflow', Number)
    .option('--approval-required <phases>', "comma-separated phases whose answer waits for approval (default: the deployment's)", (v: string) =>
      v
        .split(',')
        .map((p) => p.trim().toUpperCase())
        .filter(Boolean),
    )
    .option('--role-prompt <role=text>', "replace a role's prompt for this workflow: ROLE=text or ROLE=@file.md (repeatable)", rolePromptArg)
    .option('--role-model <role=model>', "a role's own model, e.g. CODE_WRITER=claude-sonnet-4-6 (repeatable; --model is the default)", roleModelArg)
    .option('--idempotency-key <key>', 'retry-safe key')
    .action((o: InitOptions) =>
      ctx.run(async ({ client, out }) => {
        const budget = o.budgetUsd !== undefined || o.budgetTokens !== undefined ? { max_cost_usd: o.budgetUsd, max_tokens: o.budgetTokens } : undefined;
        const r = await client.initialize(
          {
            project_id: o.project,
            user_id: o.user,
            build_id: o.build,
            requirements: o.requirements,
            model: o.model,
            temperature: o.temperature,
            max_tokens: o.maxTokens,
            auto_advance: o.autoAdvance,
            budget,
            approval_required: o.approvalRequired as InitializeWorkflowRequest['approval_required'],
            role_prompts: o.rolePrompt,
            models: o.roleModel,
          },
          { idempotencyKey: o.idempotencyKey },
        );
        out.result(r, (v) => `${v.workflow_id}\nstate: ${v.initial_state}\nnext: ${v.next_action}${v.call_id ? `\nmodel call: ${v.call_id}` : ''}`);
      }),
    );

  program
    .command('fork <workflow-id>')
    .description('a new workflow from this one: the answers before --from are copied (no model call), the rest run anew')
    .requiredOption('--from <phase>', 'the first phase to run anew', (v: string) => v.toUpperCase())
    .option('--model <name>', "the fork's model (default: the parent's)")
    .option('--role-prompt <role=text>', "replace a role's prompt in the fork: ROLE=text or ROLE=@file.md (repeatable)", rolePromptArg)
    .option('--requirements <json>', "the fork's requirements as JSON, or @file.json (default: the parent's)", jsonArg)
    .option('--idempotency-key <key>', 'retry-safe key')
    .action(
      (id: string, o: { from: string; model?: string; rolePrompt?: Record<string, string>; requirements?: Record<string, unknown>; idempotencyKey?: string }) =>
        ctx.run(async ({ client, out }) => {
          const r = await client.fork(
            id,
            { from_phase: o.from as ForkRequest['from_phase'], model: o.model, role_prompts: o.rolePrompt, requirements: o.requirements },
            { idempotencyKey: o.idempotencyKey },
          );
          out.result(
            r,
            (v) =>
              `${v.workflow_id}\nforked from ${v.forked_from.workflow_id} at revision ${v.forked_from.revision}: runs anew from ${v.forked_from.phase}${v.call_id ? `\nmodel call: ${v.call_id}` : ''}`,
          );
        }),
    );

  program
    .command('status <workflow-id>')
    .description("a workflow's status, now or at a revision")
    .option('--at <revision>', 'the status as it was at this revision', Number)
    .action((id: string, o: { at?: number }) =>
      ctx.run(async ({ client, out }) => {
        const s = await client.status(id, { at: o.at });
        out.result(s, (v) =>
          [
            `${v.workflow_id}  ${v.current_state}  ${pct(v.progress)}  (revision ${v.etag?.replaceAll('"', '')})`,
            `completed: ${v.completed_phases.join(', ') || '-'}`,
            `next role: ${v.next_role ?? '-'}`,
            ...(new Set(Object.values(v.models)).size > 1
              ? [
                  `models: ${Object.entries(v.models)
                    .map(([role, m]) => `${role} ${m}`)
                    .join(', ')}`,
                ]
              : []),
            `prompts: ${Object.values(v.prompt_versions).join(', ') || 'the current library (started before prompt versions)'}`,
            ...(v.awaiting_approval
              ? [`awaiting approval: ${v.awaiting_approval.phase} since ${v.awaiting_approval.requested_at} (topdog approve | reject)`]
              : []),
            ...(v.forked_from ? [`forked from ${v.forked_from.workflow_id} at revision ${v.forked_from.revision}, anew from ${v.forked_from.phase}`] : []),
            ...(v.cancelled ? [`cancelled: ${v.cancelled.reason} (at ${v.cancelled.cancelled_at})`] : []),
            `model calls: ${v.usage.total.calls} (${v.usage.total.failed_calls} failed), tokens ${v.usage.total.input_tokens} in / ${v.usage.total.output_tokens} out, $${v.usage.total.cost_usd.toFixed(4)}`,
            ...(v.usage.budget.max_cost_usd !== null ? [`budget: $${v.usage.budget.remaining_cost_usd} of $${v.usage.budget.max_cost_usd} left`] : []),
            ...(v.usage.budget.max_tokens !== null ? [`budget: ${v.usage.budget.remaining_tokens} of ${v.usage.budget.max_tokens} tokens left`] : []),
            ...(v.llm.running ? [`running: ${v.llm.running.phase} call ${v.llm.running.call_id}`] : []),
            ...(v.llm.stopped ? [`stopped: ${v.llm.stopped.reason}: ${v.llm.stopped.message}`] : []),
          ].join('\n'),
        );
      }),
    );

  program
    .command('complete <workflow-id>')
    .description("record the current phase's answer and advance")
    .requiredOption('--response <text>', "the phase owner's answer (ai_response)")
    .option('--result <json>', 'phase_result as JSON, or @file.json', jsonArg)
    .option('--expected-state <state>', 'complete only this phase')
    .option('--if-match <etag>', 'complete only at this revision')
    .option('--idempotency-key <key>', 'retry-safe key')
    .action((id: string, o: CompleteOptions) =>
      ctx.run(async ({ client, out }) => {
        const r = await client.completePhase(
          { workflow_id: id, ai_response: o.response, phase_result: o.result, expected_state: o.expectedState as CompletePhaseRequest['expected_state'] },
          { ifMatch: o.ifMatch ? `"${o.ifMatch.replaceAll('"', '')}"` : undefined, idempotencyKey: o.idempotencyKey },
        );
        out.result(r, describeTransition);
      }),
    );

  program
    .command('accept <workflow-id>')
    .description("complete the current phase with the model's answer that waits for a person (a phase run by hand), as the dashboard's Accept does")
    .action((id: string) =>
      ctx.run(async ({ client, out }) => {
        const answered = await waitingAnswer(client, id);
        if ('nothing' in answered) {
          out.error(new Error(answered.nothing));
          return EXIT.CONFLICT;
        }
        const a = await acceptAnswer(client, id, answered);
        if (!a.accepted) {
          out.error(new Error(a.reason));
          return a.exitCode;
        }
        out.result(a.completed, (v) => `${describeAcceptance(a)}\n${describeTransition(v)}`);
      }),
    );

  program
    .command('prompt <workflow-id>')
    .description('the model request for the current phase')
    .action((id: string) =>
      ctx.run(async ({ client, out }) => {
        const p = await client.prompt(id);
        out.result(
          p,
          (v) =>
            `model ${v.model}, temperature ${v.temperature}, max_tokens ${v.max_tokens}, prompt ${v.prompt_version ?? '-'}\n\n${v.messages.map((m: { role: string; content: string }) => `[${m.role}]\n${m.content}`).join('\n\n')}`,
        );
      }),
    );

  program
    .command('prompts')
    .description('the role prompts a workflow started now gets (a workflow keeps those it started with)')
    .option('--role <role>', "print this role's prompt text")
    .action((o: { role?: string }) =>
      ctx.run(async ({ client, out }) => {
        const prompts = await client.prompts();
        const role = o.role?.toUpperCase();
        const shown = role ? prompts.filter((p) => p.role === role) : prompts;
        if (role && shown.length === 0) throw new Error(`no role ${role}: roles are ${prompts.map((p) => p.role).join(', ')}`);
        out.result(shown, (v) =>
          role
            ? `${v[0]!.version}\n\n${v[0]!.text}`
            : table(
                ['role', 'phases', 'version'],
                v.map((p) => [p.role, p.phases.join(', '), p.version]),
              ),
        );
      }),
    );

  program
    .command('models')
    .description('the model table with prices')
    .action(() =>
      ctx.run(async ({ client, out }) => {
        const m = await client.models();
        out.result(m, (v) =>
          table(
            ['model', 'provider', 'provider model', '$/MTok in', '$/MTok out'],
            v.models.map((x) => [x.name, x.provider, x.provider_model, String(x.input_usd_per_mtok ?? '?'), String(x.output_usd_per_mtok ?? '?')]),
          ),
        );
      }),
    );
}
