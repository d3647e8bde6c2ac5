import { PHASES, type Phase } from '@topdog/contracts';
import { useState, type FormEvent, type ReactNode } from 'react';
import { hrefOf } from '../app/routes';
import { useSession } from '../session/session-context';
import { ErrorMessage } from '../ui/ErrorMessage';
import { useCommand } from '../ui/use-async';
import type { WorkflowView } from './workflow-view';

type Panel = 'reject' | 'send-back' | 'cancel' | 'fork' | null;

/**
 * What a person can do with the workflow now, as the events tell it: run the phase, approve or
 * reject a held answer, send back to an earlier phase, cancel, fork. The service decides again
 * (a stale page gets a 409 with the reason, shown here).
 */
export function WorkflowActions({ workflowId, view }: { workflowId: string; view: WorkflowView }) {
  const { client } = useSession();
  const [panel, setPanel] = useState<Panel>(null);
  const [done, setDone] = useState<string | null>(null);
  const command = useCommand(async (what: string, action: () => Promise<unknown>) => {
    setDone(null);
    await action();
    setPanel(null);
    setDone(what);
  });

  const phase = view.state && (PHASES as readonly string[]).includes(view.state) ? (view.state as Phase) : null;
  const ended = view.state === 'COMPLETE' || view.state === 'CANCELLED';
  const canRun = phase !== null && !view.running && !view.awaitingApproval;
  const reachedPhases = PHASES.filter((p) => view.phases.find((v) => v.phase === p)?.completedAt || p === phase);
  const backTargets = phase ? PHASES.filter((p) => PHASES.indexOf(p) < PHASES.indexOf(phase)) : [];
  const toggle = (p: Panel) => () => setPanel((current) => (current === p ? null : p));

  return (
    <section className="card actions" aria-labelledby="actions-heading" aria-busy={command.pending}>
      <h2 id="actions-heading">Actions</h2>
      <div className="buttons">
        <button
          type="button"
          disabled={!canRun || command.pending}
          onClick={() => void command.run(`${phase} is running`, () => client.runPhase(workflowId, { expected_state: phase ?? undefined }))}
        >
          Run {phase ?? 'phase'}
        </button>
        {view.awaitingApproval && (
          <>
            <button
              type="button"
              disabled={command.pending}
              onClick={() => void command.run(`${view.awaitingApproval} approved`, () => client.approve(workflowId))}
            >
              Approve {view.awaitingApproval}
            </button>
            <button type="button" className="secondary" aria-expanded={panel === 'reject'} onClick={toggle('reject')}>
              Reject…
            </button>
          </>
        )}
        <button type="button" className="secondary" disabled={backTargets.length === 0} aria-expanded={panel === 'send-back'} onClick={toggle('send-back')}>
          Send back…
        </button>
        <button type="button" className="secondary" disabled={reachedPhases.length === 0 && !ended} aria-expanded={panel === 'fork'} onClick={toggle('fork')}>
          Fork…
        </button>
        <button type="button" className="danger" disabled={ended} aria-expanded={panel === 'cancel'} onClick={toggle('cancel')}>
          Cancel workflow…
        </button>
      </div>
      {command.pending && (
        <p role="status" className="loading">
          <span className="spinner" aria-hidden="true" />
          Sending…
        </p>
      )}
      {done && !command.pending && (
        <p role="status" className="done">
          {done}.
        </p>
      )}
      <ErrorMessage error={command.error} />

      {panel === 'reject' && view.awaitingApproval && (
        <TextForm
          id="reject"
          title={`Reject the ${view.awaitingApproval} answer`}
          label="Comment for the role (reaches its next prompt)"
          submit="Reject"
          onSubmit={(comment) => command.run(`${view.awaitingApproval} rejected`, () => client.reject(workflowId, { comment }))}
          onClose={() => setPanel(null)}
        />
      )}
      {panel === 'send-back' && (
        <TextForm
          id="send-back"
          title="Send back to an earlier phase"
          label="Reason"
          submit="Send back"
          choice={{ label: 'Phase to open again', options: backTargets }}
          onSubmit={(reason, toPhase) => command.run(`sent back to ${toPhase}`, () => client.sendBack(workflowId, { toPhase: toPhase!, reason }))}
          onClose={() => setPanel(null)}
        />
      )}
      {panel === 'cancel' && (
        <TextForm
          id="cancel"
          title="Cancel the workflow for good"
          label="Reason"
          submit="Cancel workflow"
          danger
          onSubmit={(reason) => command.run('cancelled', () => client.cancel(workflowId, { reason }))}
          onClose={() => setPanel(null)}
        />
      )}
      {panel === 'fork' && (
        <TextForm
          id="fork"
          title="Fork: a new workflow that copies the phases before the one chosen and runs the rest anew"
          label="Model for the new run (empty: the same)"
          submit="Fork"
          optional
          choice={{ label: 'Run anew from', options: [...PHASES] }}
          onSubmit={(model, fromPhase) =>
            command.run('forked', async () => {
              const fork = await client.fork(workflowId, { from_phase: fromPhase!, ...(model ? { model } : {}) }, { idempotencyKey: crypto.randomUUID() });
              window.location.hash = hrefOf({ page: 'workflow', workflowId: fork.workflow_id });
            })
          }
          onClose={() => setPanel(null)}
        />
      )}
    </section>
  );
}

/** A small inline form: an optional choice of phase, one text, submit and close. */
function TextForm(props: {
  id: string;
  title: string;
  label: string;
  submit: string;
  optional?: boolean;
  danger?: boolean;
  choice?: { label: string; options: Phase[] };
  onSubmit: (text: string, choice: Phase | undefined) => Promise<unknown>;
  onClose: () => void;
}): ReactNode {
  const [text, setText] = useState('');
  const [choice, setChoice] = useState<Phase | undefined>(props.choice?.options[0]);
  const [missing, setMissing] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!props.optional && !text.trim()) return setMissing(true);
    void props.onSubmit(text.trim(), choice);
  };
  return (
    <form className="inline-form" aria-labelledby={`${props.id}-title`} onSubmit={submit} noValidate>
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      {props.choice && (
        <>
          <label htmlFor={`${props.id}-choice`}>{props.choice.label}</label>
          <select id={`${props.id}-choice`} value={choice} onChange={(e) => setChoice(e.target.value as Phase)}>
            {props.choice.options.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </>
      )}
      <label htmlFor={`${props.id}-text`}>{props.label}</label>
      <textarea
        id={`${props.id}-text`}
        rows={props.optional ? 1 : 3}
        value={text}
        autoFocus
        aria-required={!props.optional}
        aria-invalid={missing || undefined}
        aria-describedby={missing ? `${props.id}-missing` : undefined}
        onChange={(e) => (setText(e.target.value), setMissing(false))}
      />
      {missing && (
        <p id={`${props.id}-missing`} className="field-error" role="alert">
          {props.label}: required
        </p>
      )}
      <div className="buttons">
        <button type="submit" className={props.danger ? 'danger' : undefined}>
          {props.submit}
        </button>
        <button type="button" className="secondary" onClick={props.onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
