import type { Command } from 'commander';
import type { ComparedPhaseSideBody, CompareWorkflowsResponse, SpendBody } from '@topdog/contracts';
import type { CliContext } from '../cli-context';
import { table } from '../output';

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const CYAN = '\u001b[36m';
const RESET = '\u001b[0m';

/** A unified diff with its added lines green, removed red and hunk headers cyan (in a terminal). */
export function colourDiff(diff: string, colour: boolean): string {
  if (!colour) return diff;
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return line;
      if (line.startsWith('+')) return `${GREEN}${line}${RESET}`;
      if (line.startsWith('-')) return `${RED}${line}${RESET}`;
      if (line.startsWith('@@')) return `${CYAN}${line}${RESET}`;
      return line;
    })
    .join('\n');
}

const cost = (usd: number | null) => (usd === null ? 'unpriced' : `$${usd.toFixed(4)}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const spent = (s: SpendBody) => `${s.calls} calls, ${s.input_tokens}+${s.output_tokens} tokens, ${cost(s.cost_usd)}, model ${seconds(s.model_time_ms)}`;
const side = (p: ComparedPhaseSideBody | null) =>
  p
    ? [
        p.copied_from ? 'copied' : (p.model ?? 'by hand'),
        p.prompt_version ?? '-',
        `${p.input_tokens + p.output_tokens}`,
        cost(p.cost_usd),
        seconds(p.duration_ms),
      ]
    : ['-', '-', '-', '-', '-'];

/** The comparison as a person reads it: a table of the phases, then each phase's diff and result differences. */
export function describeComparison(c: CompareWorkflowsResponse, colour: boolean): string {
  const forked = (w: CompareWorkflowsResponse['a']) => (w.forked_from ? `  (fork of ${w.forked_from.workflow_id} from ${w.forked_from.phase})` : '');
  const lines = [
    `a ${c.a.workflow_id}  ${c.a.model}  ${c.a.current_state}  ${spent(c.a.totals)}, ${seconds(c.a.totals.duration_ms)} in all${forked(c.a)}`,
    `b ${c.b.workflow_id}  ${c.b.model}  ${c.b.current_state}  ${spent(c.b.totals)}, ${seconds(c.b.totals.duration_ms)} in all${forked(c.b)}`,
    '',
    table(
      ['phase', 'answer', 'a model', 'a prompt', 'a tokens', 'a cost', 'a time', 'b model', 'b prompt', 'b tokens', 'b cost', 'b time'],
      c.phases.map((p) => [p.phase, !p.a || !p.b ? 'missing' : p.same_response ? 'same' : 'differs', ...side(p.a), ...side(p.b)]),
    ),
  ];
  for (const p of c.phases) {
    if (p.diff === '' && p.result_differences.length === 0) continue;
    lines.push('', `== ${p.phase} (${p.role})`);
    if (p.diff !== '') lines.push(colourDiff(p.diff.trimEnd(), colour));
    for (const d of p.result_differences) lines.push(`result ${d.path}: ${JSON.stringify(d.a)} → ${JSON.stringify(d.b)}`);
  }
  return lines.join('\n');
}

/** compare: two workflows phase by phase. */
export function registerCompareCommand(program: Command, ctx: CliContext): void {
  program
    .command('compare <a> <b>')
    .description('two workflows phase by phase: answers and their diff, results, model, prompt version, tokens, cost and time')
    .action((a: string, b: string) =>
      ctx.run(async ({ client, out }) => {
        const comparison = await client.compare(a, b);
        out.result(comparison, (c) => describeComparison(c, process.stdout.isTTY === true && !process.env.NO_COLOR));
      }),
    );
}
