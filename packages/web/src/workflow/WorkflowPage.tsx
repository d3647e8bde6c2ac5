import { hrefOf } from '../app/routes';
import { ErrorMessage } from '../ui/ErrorMessage';
import { formatUsd } from '../ui/format';
import { Loading } from '../ui/Loading';
import { ProgressBar } from '../ui/ProgressBar';
import { AuditTrail } from './AuditTrail';
import { Conversations } from './Conversations';
import { PhaseTimeline } from './PhaseTimeline';
import { SpendChart } from './SpendChart';
import { TokenStream } from './TokenStream';
import { useStatus } from './use-status';
import { useWorkflowEvents } from './use-workflow-events';
import { WorkflowActions } from './WorkflowActions';

/** One workflow: live timeline, actions, the running call's tokens, conversations, spend and audit. */
export function WorkflowPage({ workflowId }: { workflowId: string }) {
  const { view, records, tokens, live, error } = useWorkflowEvents(workflowId);
  const { status } = useStatus(workflowId, view.revision);
  const done = view.phases.filter((p) => p.completedAt !== null).length;
  if (view.revision < 0) {
    return (
      <section>
        <h1>Workflow {workflowId}</h1>
        {error ? <ErrorMessage error={error} /> : <Loading label="Loading the workflow…" />}
      </section>
    );
  }
  const budget = status?.usage.budget;
  return (
    <article aria-labelledby="workflow-heading" className="workflow-page">
      <div className="page-heading">
        <h1 id="workflow-heading">
          Workflow <code>{workflowId}</code>
        </h1>
        <span className={`live-badge ${live ? 'on' : 'off'}`} role="status">
          {live ? 'Live' : 'Reconnecting…'}
        </span>
      </div>
      <dl className="facts">
        <div>
          <dt>State</dt>
          <dd>
            <span className={`state state-${view.state?.toLowerCase()}`} data-testid="state">
              {view.state}
            </span>
          </dd>
        </div>
        <div>
          <dt>Project</dt>
          <dd>{view.projectId}</dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd>{view.model}</dd>
        </div>
        <div>
          <dt>Progress</dt>
          <dd>
            <ProgressBar value={done / view.phases.length} label="Workflow progress" />
          </dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>
            {formatUsd(view.spend.reduce((t, s) => t + s.costUsd, 0))}
            {budget?.max_cost_usd != null && ` of ${formatUsd(budget.max_cost_usd)}`}
          </dd>
        </div>
        <div>
          <dt>Auto-advance</dt>
          <dd>{view.autoAdvance ? 'on' : 'off'}</dd>
        </div>
        {view.approvalRequired.length > 0 && (
          <div>
            <dt>Approval needed for</dt>
            <dd>{view.approvalRequired.join(', ')}</dd>
          </div>
        )}
        {view.forkedFrom && (
          <div className="wide">
            <dt>Forked from</dt>
            <dd>
              <a href={hrefOf({ page: 'workflow', workflowId: view.forkedFrom.workflowId })}>{view.forkedFrom.workflowId.slice(0, 8)}</a> at{' '}
              {view.forkedFrom.phase} · <a href={hrefOf({ page: 'compare', a: view.forkedFrom.workflowId, b: workflowId })}>Compare with the parent</a>
            </dd>
          </div>
        )}
      </dl>
      {view.stopped && (
        <p className="stopped" role="status">
          Stopped: {view.stopped}
        </p>
      )}
      <ErrorMessage error={error} />
      <details className="card requirements">
        <summary>Requirements</summary>
        <pre className="json">{JSON.stringify(view.requirements, null, 2)}</pre>
      </details>
      <div className="columns">
        <div>
          <PhaseTimeline view={view} />
          <WorkflowActions workflowId={workflowId} view={view} />
        </div>
        <div>
          <TokenStream running={view.running} tokens={tokens} />
          <SpendChart spend={view.spend} />
        </div>
      </div>
      <Conversations view={view} />
      <AuditTrail workflowId={workflowId} records={records} />
    </article>
  );
}
