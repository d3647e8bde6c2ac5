import type { Phase } from '@topdog/contracts';
import { TopDogApiError } from '@topdog/client';
import { memo, useState, type FormEvent, type ReactNode } from 'react';
import { hrefOf } from '../app/routes';
import { useSession } from '../session/session-context';
import { ErrorMessage } from '../ui/ErrorMessage';
import { newIdempotencyKey } from '../ui/idempotency-key';
import { Loading } from '../ui/Loading';
import { useCommand } from '../ui/use-command';
import { actionsOf } from './actions-of';
import type { AcceptableAnswer } from './use-acceptable-answer';
import type { WorkflowView } from './workflow-view';

type Panel = 'reject' | 'send-back' | 'cancel' | 'fork';

/**
 * What a person can do with the workflow now (see actionsOf): run the phase, accept the model's
 * answer of a phase run by hand, approve or reject a held answer, send back, cancel, fork. A
 * decision carries the revision the page shows as If-Match, so nobody approves an answer they
 * have not seen: when the workflow moved on meanwhile, the API answers 412 and the page says so.
 */
export const WorkflowActions = memo(function WorkflowActions({
  workflowId,
  view,
  acceptable,
}: {
  workflowId: string;
  view: WorkflowView;
  acceptable: AcceptableAnswer | null;
}) {
  const { client } = useSession();
  const [panel, setPanel] = useState<Panel | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const available = actionsOf(view);
  const seen = { ifMatch: `"${view.revision}"` };

  const closePanel = () => {
    const opened = panel;
    setPanel(null);
    // Back to the button that opened it, not to the page's start.
    if (opened) document.getElementById(`toggle-${opened}`)?.focus();
  };
  const command = useCommand(async (what: string, action: () => Promise<unknown>) => {
    setDone(null);
    try {
      await action();
    } catch (err) {
      if (err instanceof TopDogApiError && err.status === 412) {
        throw new TopDogApiError(412, err.code, 'read the page again, then decide');
      }
      throw err;
    }
    closePanel();
    setDone(what);
  });
  const toggle = (p: Panel) => () => setPanel((current) => (current === p ? null : p));
  const phase = available.phase;

  return (
    <section className="card actions" aria-labelledby="actions-heading" aria-busy={command.pending}>
      <h2 id="actions-heading">Actions</h2>
      <div className="buttons">
        <button
          type="button"
          disabled={!available.run || command.pending}
          onClick={() => void command.run(`${phase}: the model call is requested`, () => client.runPhase(workflowId, { expected_state: phase ?? undefined }))}
        >
          Run {phase ?? 'phase'}
        </button>
        {acceptable && available.run && (
          <button
            type="button"
            disabled={command.pending}
            onClick={() =>
              void command.run(`${acceptable.phase} completed with the model's answer`, () =>
                client.completePhase(
                  { workflow_id: workflowId, ai_response: acceptable.aiResponse, phase_result: acceptable.phaseResult, expected_state: acceptable.phase },
                  // Sent again at the same revision, it is the same request: replayed, not done twice.
                  { ...seen, idempotencyKey: `accept-${acceptable.callId}-${view.revision}` },
                ),
              )
            }
          >
            Accept the answer and complete {acceptable.phase}
          </button>
        )}
        {available.decide && (
          <>
            <button
              type="button"
              disabled={command.pending}
              onClick={() => void command.run(`${available.decide} approved`, () => client.approve(workflowId, {}, seen))}
            >
              Approve {available.decide}
            </button>
            <button type="button" className="secondary" id="toggle-reject" aria-expanded={panel === 'reject'} onClick={toggle('reject')}>
              Reject…
            </button>
          </>
        )}
        <button
          type="button"
          className="secondary"
          id="toggle-send-back"
          disabled={available.sendBackTo.length === 0}
          aria-expanded={panel === 'send-back'}
          onClick={toggle('send-back')}
        >
          Send back…
        </button>
        <button
          type="button"
          className="secondary"
          id="toggle-fork"
          disabled={available.forkFrom.length === 0}
          aria-expanded={panel === 'fork'}
          onClick={toggle('fork')}
        >
          Fork…
        </button>
        <button type="button" className="danger" id="toggle-cancel" disabled={!available.cancel} aria-expanded={panel === 'cancel'} onClick={toggle('cancel')}>
          Cancel workflow…
        </button>
      </div>
      {command.pending && <Loading label="Sending…" />}
      {done && !command.pending && (
        <p role="status" className="done">
          {done}.
        </p>
      )}
      <ErrorMessage error={command.error} />

      {panel === 'reject' && available.decide && (
        <TextForm
          id="reject"
          title={`Reject the ${available.decide} answer`}
          label="Comment for the role (reaches its next prompt)"
          submit="Reject"
          pending={command.pending}
          onSubmit={(comment) => command.run(`${available.decide} rejected`, () => client.reject(workflowId, { comment }, seen))}
          onClose={closePanel}
        />
      )}
      {panel === 'send-back' && (
        <TextForm
          id="send-back"
          title="Send back to an earlier phase"
          label="Reason"
          submit="Send back"
          pending={command.pending}
          choice={{ label: 'Phase to open again', options: available.sendBackTo }}
          onSubmit={(reason, toPhase) => command.run(`sent back to ${toPhase}`, () => client.sendBack(workflowId, { toPhase: toPhase!, reason }, seen))}
          onClose={closePanel}
        />
      )}
      {panel === 'cancel' && (
        <TextForm
          id="cancel"
          title="Cancel the workflow for good"
          label="Reason"
          submit="Cancel workflow"
          danger
          pending={command.pending}
          onSubmit={(reason) => command.run('cancelled', () => client.cancel(workflowId, { reason }, seen))}
          onClose={closePanel}
        />
      )}
      {panel === 'fork' && (
        <TextForm
          id="fork"
          title="Fork: a new workflow that copies the phases before the one chosen and runs the rest anew"
          label="Model for the new run (empty: the same)"
          submit="Fork"
          optional
          singleLine
          pending={command.pending}
          choice={{ label: 'Run anew from', options: available.forkFrom }}
          onSubmit={(model, fromPhase, key) =>
            command.run('forked', async () => {
              const fork = await client.fork(workflowId, { from_phase: fromPhase!, ...(model ? { model } : {}) }, { idempotencyKey: key });
              window.location.hash = hrefOf({ page: 'workflow', workflowId: fork.workflow_id });
            })
          }
          onClose={closePanel}
        />
      )}
    </section>
  );
});

/**
 * A small inline form: an optional choice of phase, one text, submit and close. Submitting is
 * refused while a command is on its way; the form keeps one idempotency key for its life, so
 * sending it again after an error cannot do the thing twice.
 */
function TextForm(props: {
  id: string;
  title: string;
  label: string;
  submit: string;
  pending: boolean;
  optional?: boolean;
  singleLine?: boolean;
  danger?: boolean;
  choice?: { label: string; options: Phase[] };
  onSubmit: (text: string, choice: Phase | undefined, idempotencyKey: string) => Promise<unknown>;
  onClose: () => void;
}): ReactNode {
  const [text, setText] = useState('');
  const [choice, setChoice] = useState<Phase | undefined>(props.choice?.options.at(-1));
  const [missing, setMissing] = useState(false);
  const [key] = useState(newIdempotencyKey);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (props.pending) return;
    if (!props.optional && !text.trim()) return setMissing(true);
    void props.onSubmit(text.trim(), choice, key);
  };
  const textId = `${props.id}-text`;
  const field = {
    id: textId,
    value: text,
    autoFocus: true,
    'aria-required': !props.optional,
    'aria-invalid': missing || undefined,
    'aria-describedby': missing ? `${props.id}-missing` : undefined,
    onChange: (e: { target: { value: string } }) => (setText(e.target.value), setMissing(false)),
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
      <label htmlFor={textId}>{props.label}</label>
      {props.singleLine ? <input {...field} /> : <textarea {...field} rows={3} />}
      {missing && (
        <p id={`${props.id}-missing`} className="field-error" role="alert">
          {props.label}: required
        </p>
      )}
      <div className="buttons">
        <button type="submit" className={props.danger ? 'danger' : undefined} disabled={props.pending}>
          {props.submit}
        </button>
        <button type="button" className="secondary" onClick={props.onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
