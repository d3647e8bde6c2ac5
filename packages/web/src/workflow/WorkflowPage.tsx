import { hrefOf } from '../app/routes';
import { ErrorMessage } from '../ui/ErrorMessage';
import { formatTokens, formatUsd } from '../ui/format';
import { Loading } from '../ui/Loading';
import { ProgressBar } from '../ui/ProgressBar';
import { AuditTrail } from './AuditTrail';
import { Conversations } from './Conversations';
import { PhaseTimeline } from './PhaseTimeline';
import { SpendChart } from './SpendChart';
import { totalSpend } from './spend';
import { tokensOf } from './token-buffers';
import { TokenStream } from './TokenStream';
import { useAcceptableAnswer } from './use-acceptable-answer';
import { useWorkflowEvents, type StreamState } from './use-workflow-events';
import { WorkflowActions } from './WorkflowActions';

const STREAM_BADGE: Readonly<Record<StreamState['kind'], string>> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Stopped',
};

/** One workflow: live timeline, actions, the running call's tokens, conversations, spend and audit. */
export function WorkflowPage({ workflowId }: { workflowId: string }) {
  const { view, records, tokens, stream } = useWorkflowEvents(workflowId);
  const acceptable = useAcceptableAnswer(workflowId, view);
  const error = stream.kind === 'ended' ? stream.error : null;
  if (view.revision < 0) {
    return (
      <section>
        <h1>Workflow {workflowId}</h1>
        {error ? <ErrorMessage error={error} /> : <Loading label="Loading the workflow…" />}
      </section>
    );
  }
  const done = view.phases.filter((p) => p.completedAt !== null).length;
  const total = totalSpend(view.spend);
  return (
    <article aria-labelledby="workflow-heading" className="workflow-page">
      <div className="page-heading">
        <h1 id="workflow-heading">
          Workflow <code>{workflowId}</code>
        </h1>
        <span className={`live-badge live-${stream.kind}`} role="status">
          {STREAM_BADGE[stream.kind]}
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
            {formatUsd(total.costUsd)}
            {total.unpricedCalls > 0 && ` + ${total.unpricedCalls} unpriced ${total.unpricedCalls === 1 ? 'call' : 'calls'}`}
            {view.budget.maxCostUsd !== null && ` of ${formatUsd(view.budget.maxCostUsd)}`}
          </dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>
            {formatTokens(total.inputTokens + total.outputTokens)}
            {view.budget.maxTokens !== null && ` of ${formatTokens(view.budget.maxTokens)}`}
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
          <PhaseTimeline phases={view.phases} />
          <WorkflowActions workflowId={workflowId} view={view} acceptable={acceptable} />
        </div>
        <div>
          <TokenStream running={view.running} tokens={tokensOf(tokens, view.running?.callId)} />
          <SpendChart spend={view.spend} />
        </div>
      </div>
      <Conversations conversations={view.conversations} />
      <AuditTrail workflowId={workflowId} records={records} />
    </article>
  );
}
