import type { Command } from 'commander';
import type { ListFilters } from '@topdog/client';
import type { WorkflowListItemBody } from '@topdog/contracts';
import type { CliContext } from '../cli-context';
import { table } from '../output';

interface ListOptions {
  project?: string;
  state?: string;
  model?: string;
  createdAfter?: string;
  createdBefore?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/** A ten-cell bar and the percentage: `[###.......]  33%`. */
export function progressBar(progress: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, progress)) * 10);
  return `[${'#'.repeat(filled).padEnd(10, '.')}] ${String(Math.round(progress * 100)).padStart(3)}%`;
}

/** Seconds are enough in a table: 2026-03-01 10:04:05. */
const when = (iso: string) => iso.slice(0, 19).replace('T', ' ');

function rows(workflows: WorkflowListItemBody[]): string[][] {
  return workflows.map((w) => [
    w.workflow_id,
    w.project_id,
    w.current_state,
    progressBar(w.progress),
    w.model,
    when(w.created_at),
    when(w.updated_at),
    `$${w.cost_usd.toFixed(4)}`,
  ]);
}
/** The filters of this listing as options, for the command that reads its next page. */
function sameFilters(o: ListOptions): string {
  const given: [string, string | number | undefined][] = [
    ['--project', o.project],
    ['--state', o.state],
    ['--model', o.model],
    ['--created-after', o.createdAfter],
    ['--created-before', o.createdBefore],
    ['--limit', o.limit],
  ];
  const quoted = (v: string | number) => (/^[\w.:+-]+$/.test(String(v)) ? String(v) : `'${String(v).replaceAll("'", "'\\''")}'`);
  return given
    .filter((g): g is [string, string | number] => g[1] !== undefined)
    .map(([flag, value]) => `${flag} ${quoted(value)} `)
    .join('');
}
const HEADERS = ['workflow', 'project', 'state', 'progress', 'model', 'created', 'updated', 'cost'];

/** list: the workflows of the caller's projects, newest first; one page, or every page with --all. */
export function registerListCommand(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description('the workflows of your projects, newest first (one page; --all for every page)')
    .option('--project <id>', 'only this project')
    .option('--state <state>', 'only workflows in this state (DISCOVERY … COMPLETE)')
    .option('--model <name>', 'only workflows on this model')
    .option('--created-after <iso>', 'only workflows created after this instant')
    .option('--created-before <iso>', 'only workflows created before this instant')
    .option('--limit <n>', 'workflows per page (1-500, default 50)', Number)
    .option('--cursor <cursor>', 'continue from the cursor a page printed')
    .option('--all', 'every page (with --json: NDJSON, one workflow a line)')
    .action((o: ListOptions) =>
      ctx.run(async ({ client, out }) => {
        const filters: ListFilters = {
          project_id: o.project,
          state: o.state as ListFilters['state'],
          model: o.model,
          created_after: o.createdAfter,
          created_before: o.createdBefore,
          limit: o.limit,
        };
        if (!o.all) {
          const page = await client.list({ ...filters, cursor: o.cursor });
          out.result(page, (v) =>
            [
              v.workflows.length > 0 ? table(HEADERS, rows(v.workflows)) : 'no workflows',
              ...(v.next_cursor ? [`more: topdog list ${sameFilters(o)}--cursor ${v.next_cursor} (or --all)`] : []),
            ].join('\n'),
          );
          return;
        }
        const all: WorkflowListItemBody[] = [];
        for await (const w of client.listAll(filters)) {
          if (out.json) out.line(JSON.stringify(w));
          else all.push(w);
        }
        if (!out.json) out.line(all.length > 0 ? `${table(HEADERS, rows(all))}\n${all.length} workflows` : 'no workflows');
      }),
    );
}
