import { WorkflowStateName } from '@topdog/contracts';
import { useState, type FormEvent } from 'react';
import { hrefOf } from '../app/routes';
import { useSession } from '../session/session-context';
import { ErrorMessage } from '../ui/ErrorMessage';
import { formatDateTime, formatUsd } from '../ui/format';
import { Loading } from '../ui/Loading';
import { ProgressBar } from '../ui/ProgressBar';
import { textField } from '../ui/text-field';
import { useAsync } from '../ui/use-async';
import { listFiltersOf, NO_FILTERS, type FilterForm } from './list-filters';

const PAGE_SIZE = 20;

/** The workflows of the caller's projects, newest first, filtered, a page at a time. */
export function WorkflowList() {
  const { client } = useSession();
  const [form, setForm] = useState<FilterForm>(NO_FILTERS);
  const [applied, setApplied] = useState<FilterForm>(NO_FILTERS);
  // The cursors of the pages before this one (the first page has none), to go back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const page = useAsync(() => client.list({ ...listFiltersOf(applied), limit: PAGE_SIZE, cursor }), [client, applied, cursor]);

  function apply(event: FormEvent) {
    event.preventDefault();
    setApplied(form);
    setCursors([undefined]);
  }
  const field = textField(form, setForm, 'filter');

  return (
    <>
      <form className="filters" onSubmit={apply} aria-label="Filter workflows">
        <div>
          <label htmlFor="filter-projectId">Project</label>
          <input {...field('projectId')} />
        </div>
        <div>
          <label htmlFor="filter-state">State</label>
          <select {...field('state')}>
            <option value="">Any</option>
            {WorkflowStateName.options.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-model">Model</label>
          <input {...field('model')} />
        </div>
        <div>
          <label htmlFor="filter-createdFrom">Created from</label>
          <input type="date" {...field('createdFrom')} />
        </div>
        <div>
          <label htmlFor="filter-createdTo">Created to</label>
          <input type="date" {...field('createdTo')} />
        </div>
        <div className="filter-buttons">
          <button type="submit">Filter</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setForm(NO_FILTERS);
              setApplied(NO_FILTERS);
              setCursors([undefined]);
            }}
          >
            Clear
          </button>
          <button type="button" className="secondary" onClick={page.reload}>
            Refresh
          </button>
        </div>
      </form>
      <ErrorMessage error={page.error} />
      {page.loading && <Loading label="Loading workflows…" />}
      {page.data && (
        <div className="table-scroll" aria-busy={page.loading}>
          <table className="workflows">
            <caption className="visually-hidden">Workflows, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">Project</th>
                <th scope="col">State</th>
                <th scope="col">Progress</th>
                <th scope="col">Model</th>
                <th scope="col">Cost</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.workflows.length === 0 && (
                <tr>
                  <td colSpan={7}>No workflows match.</td>
                </tr>
              )}
              {page.data.workflows.map((w) => (
                <tr key={w.workflow_id}>
                  <td>
                    <a href={hrefOf({ page: 'workflow', workflowId: w.workflow_id })}>
                      <code>{w.workflow_id.slice(0, 8)}</code>
                      <span className="visually-hidden"> (workflow {w.workflow_id})</span>
                    </a>
                  </td>
                  <td>{w.project_id}</td>
                  <td>
                    <span className={`state state-${w.current_state.toLowerCase()}`}>{w.current_state}</span>
                  </td>
                  <td>
                    <ProgressBar value={w.progress} label={`Progress of ${w.workflow_id.slice(0, 8)}`} />
                  </td>
                  <td>{w.model}</td>
                  <td>{formatUsd(w.cost_usd)}</td>
                  <td>{formatDateTime(w.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" className="secondary" disabled={cursors.length <= 1 || page.loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          className="secondary"
          disabled={!page.data?.next_cursor || page.loading}
          onClick={() => page.data?.next_cursor && setCursors((c) => [...c, page.data!.next_cursor!])}
        >
          Next page
        </button>
      </nav>
    </>
  );
}
