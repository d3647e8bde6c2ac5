import type { ComparedPhaseBody, ComparedWorkflowBody } from '@topdog/contracts';
import { hrefOf } from '../app/routes';
import { Markdown } from '../markdown/Markdown';
import { useSession } from '../session/session-context';
import { ErrorMessage } from '../ui/ErrorMessage';
import { formatTokens, formatUsd } from '../ui/format';
import { Loading } from '../ui/Loading';
import { useAsync } from '../ui/use-async';
import { sideBySide } from './side-by-side';

/** Two workflows phase by phase: each answer's diff side by side, what differs in the results, and what each took. */
export function ComparePage({ a, b }: { a: string; b: string }) {
  const { client } = useSession();
  const comparison = useAsync(() => client.compare(a, b), [client, a, b]);
  return (
    <section aria-labelledby="compare-heading">
      <h1 id="compare-heading">Compare workflows</h1>
      <ErrorMessage error={comparison.error} />
      {comparison.loading && <Loading label="Comparing…" />}
      {comparison.data && (
        <>
          <div className="compare-sides">
            <Side label="A (left)" side={comparison.data.a} />
            <Side label="B (right)" side={comparison.data.b} />
          </div>
          {comparison.data.phases.map((p) => (
            <PhaseDiff key={p.phase} phase={p} />
          ))}
        </>
      )}
    </section>
  );
}

function Side({ label, side }: { label: string; side: ComparedWorkflowBody }) {
  return (
    <div className="card">
      <h2>
        {label}: <a href={hrefOf({ page: 'workflow', workflowId: side.workflow_id })}>{side.workflow_id.slice(0, 8)}</a>
      </h2>
      <p>
        {side.model} · {side.current_state} · {side.totals.calls} calls · {formatTokens(side.totals.input_tokens + side.totals.output_tokens)} tokens ·{' '}
        {side.totals.cost_usd === null ? 'cost unknown' : formatUsd(side.totals.cost_usd)}
        {side.forked_from && ` · forked from ${side.forked_from.workflow_id.slice(0, 8)} at ${side.forked_from.phase}`}
      </p>
    </div>
  );
}

function PhaseDiff({ phase }: { phase: ComparedPhaseBody }) {
  const rows = sideBySide(phase.diff);
  const headingId = `diff-${phase.phase}`;
  return (
    <section className="card phase-diff" aria-labelledby={headingId} data-phase={phase.phase}>
      <h2 id={headingId}>
        {phase.phase} <small>({phase.role})</small>{' '}
        <span className="diff-summary">
          {!phase.a || !phase.b
            ? '· only one side has it'
            : `· ${phase.same_response ? 'same answer' : 'answers differ'}${phase.result_differences.length > 0 ? ', results differ' : ''}`}
          {phase.b?.copied_from && ' · B copied it from its parent'}
        </span>
      </h2>
      {phase.a && phase.b && !phase.same_response && rows.length > 0 && (
        <div className="table-scroll">
          <table className="diff">
            <caption className="visually-hidden">{phase.phase}: A on the left, B on the right; removed lines are marked −, added +</caption>
            <thead>
              <tr>
                <th scope="col" colSpan={2}>
                  A
                </th>
                <th scope="col" colSpan={2}>
                  B
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) =>
                row.kind === 'gap' ? (
                  <tr key={i} className="gap">
                    <td colSpan={4}>⋯</td>
                  </tr>
                ) : (
                  <tr key={i} className={`row-${row.kind}`}>
                    <td className="line-no">{row.left?.number}</td>
                    <td className={row.left && row.kind !== 'same' ? 'removed' : undefined}>
                      {row.left && row.kind !== 'same' && <span className="visually-hidden">removed: </span>}
                      {row.left?.text}
                    </td>
                    <td className="line-no">{row.right?.number}</td>
                    <td className={row.right && row.kind !== 'same' ? 'added' : undefined}>
                      {row.right && row.kind !== 'same' && <span className="visually-hidden">added: </span>}
                      {row.right?.text}
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
      {phase.a && phase.b && phase.same_response && (
        <details>
          <summary>The answer</summary>
          <Markdown text={phase.a.ai_response} />
        </details>
      )}
      {phase.result_differences.length > 0 && (
        <details>
          <summary>
            {phase.result_differences.length} {phase.result_differences.length === 1 ? 'difference' : 'differences'} in the structured result
          </summary>
          <ul>
            {phase.result_differences.map((d) => (
              <li key={d.path}>
                <code>{d.path}</code>: <code>{JSON.stringify(d.a)}</code> → <code>{JSON.stringify(d.b)}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
      <p className="muted">
        A:{' '}
        {phase.a
          ? `${phase.a.model ?? 'by hand'}, ${phase.a.output_tokens} output tokens, ${phase.a.cost_usd === null ? 'cost unknown' : formatUsd(phase.a.cost_usd)}`
          : 'not done'}{' '}
        · B:{' '}
        {phase.b
          ? phase.b.copied_from
            ? 'copied, nothing spent'
            : `${phase.b.model ?? 'by hand'}, ${phase.b.output_tokens} output tokens, ${phase.b.cost_usd === null ? 'cost unknown' : formatUsd(phase.b.cost_usd)}`
          : 'not done'}
      </p>
    </section>
  );
}
