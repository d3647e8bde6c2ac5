import { PHASES, type Phase } from '@topdog/contracts';
import { TopDogApiError } from '@topdog/client';
import { useState, type FormEvent } from 'react';
import { hrefOf } from '../app/routes';
import { useSession } from '../session/session-context';
import { ErrorMessage } from '../ui/ErrorMessage';
import { useAsync } from '../ui/use-async';
import { newIdempotencyKey } from '../ui/idempotency-key';
import { textField } from '../ui/text-field';
import { useCommand } from '../ui/use-command';
import { startRequestOf, type StartForm } from './start-request';

/** What the form starts with: a quick run on the offline model, which needs no provider key. */
const DEFAULTS: StartForm = {
  projectId: '',
  buildId: '',
  userId: 'dashboard',
  model: 'offline',
  requirements: '',
  autoAdvance: true,
  approvals: [],
  maxCostUsd: '',
  maxTokens: '',
};

/** The request field each form field fills, as an error's details name it. */
const FIELD_OF = {
  projectId: 'project_id',
  userId: 'user_id',
  buildId: 'build_id',
  model: 'model',
  requirements: 'requirements',
  maxCostUsd: 'budget.max_cost_usd',
  maxTokens: 'budget.max_tokens',
} as const;

/** Starts a workflow (model, requirements, auto-advance, approvals, budget), then opens it. */
export function StartWorkflow({ onCancel }: { onCancel: () => void }) {
  const { client } = useSession();
  const [form, setForm] = useState<StartForm>(DEFAULTS);
  const models = useAsync(() => client.models(), [client]);
  // One key for the form's life: sending it again after an error cannot start two workflows.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const start = useCommand(async (f: StartForm) => {
    const built = startRequestOf(f);
    if ('errors' in built) throw new TopDogApiError(400, 'VALIDATION_FAILED', 'some fields need another value', built.errors);
    const started = await client.initialize(built.request, { idempotencyKey });
    window.location.hash = hrefOf({ page: 'workflow', workflowId: started.workflow_id });
    return started;
  });
  const set = <K extends keyof StartForm>(name: K, value: StartForm[K]) => setForm((f) => ({ ...f, [name]: value }));
  const bind = textField(form, setForm, 'start');
  // A field the API (or the form) named in its refusal is marked, and points to the message.
  const named = new Set(start.error instanceof TopDogApiError ? start.error.details.map((d) => d.field) : []);
  const text = (name: Exclude<keyof typeof FIELD_OF, 'requirements'>) => ({
    ...bind(name),
    'aria-invalid': named.has(FIELD_OF[name]) || undefined,
    'aria-describedby': named.has(FIELD_OF[name]) ? 'start-errors' : undefined,
  });
  const toggleApproval = (phase: Phase, on: boolean) => set('approvals', on ? [...form.approvals, phase] : form.approvals.filter((p) => p !== phase));

  return (
    <form
      id="start-workflow"
      className="card start-workflow"
      aria-labelledby="start-heading"
      aria-busy={start.pending}
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void start.run(form);
      }}
    >
      <h2 id="start-heading">Start a workflow</h2>
      <div className="grid">
        <div>
          <label htmlFor="start-projectId">Project</label>
          <input {...text('projectId')} aria-required />
        </div>
        <div>
          <label htmlFor="start-userId">User</label>
          <input {...text('userId')} aria-required />
        </div>
        <div>
          <label htmlFor="start-buildId">Build (optional)</label>
          <input {...text('buildId')} />
        </div>
        <div>
          <label htmlFor="start-model">Model</label>
          <input {...text('model')} list="start-model-names" aria-describedby={named.has('model') ? 'start-model-help start-errors' : 'start-model-help'} />
          <datalist id="start-model-names">
            {models.data?.models.map((m) => (
              <option key={m.name} value={m.name} />
            ))}
          </datalist>
          <small id="start-model-help">
            A model of the table{models.data ? ` (or ${models.data.prefixes.join(', ')}…)` : ''}; <code>offline</code> needs no provider.
          </small>
        </div>
      </div>
      <label htmlFor="start-requirements">Requirements</label>
      <textarea
        id="start-requirements"
        name="requirements"
        rows={4}
        value={form.requirements}
        onChange={(e) => set('requirements', e.target.value)}
        aria-describedby={named.has('requirements') ? 'start-requirements-help start-errors' : 'start-requirements-help'}
        aria-invalid={named.has('requirements') || undefined}
      />
      <small id="start-requirements-help">Plain text, or a JSON object.</small>
      <div className="checkbox">
        <input id="start-autoAdvance" type="checkbox" checked={form.autoAdvance} onChange={(e) => set('autoAdvance', e.target.checked)} />
        <label htmlFor="start-autoAdvance">Auto-advance: each model answer completes its phase and runs the next</label>
      </div>
      <fieldset>
        <legend>Phases that wait for approval</legend>
        <div className="phase-checkboxes">
          {PHASES.map((phase) => (
            <div className="checkbox" key={phase}>
              <input
                id={`start-approval-${phase}`}
                type="checkbox"
                checked={form.approvals.includes(phase)}
                onChange={(e) => toggleApproval(phase, e.target.checked)}
              />
              <label htmlFor={`start-approval-${phase}`}>{phase}</label>
            </div>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Budget (optional)</legend>
        <div className="grid">
          <div>
            <label htmlFor="start-maxCostUsd">Max cost (USD)</label>
            <input {...text('maxCostUsd')} inputMode="decimal" />
          </div>
          <div>
            <label htmlFor="start-maxTokens">Max tokens</label>
            <input {...text('maxTokens')} inputMode="numeric" />
          </div>
        </div>
      </fieldset>
      <div id="start-errors">
        <ErrorMessage error={start.error} />
      </div>
      <div className="buttons">
        <button type="submit" disabled={start.pending}>
          {start.pending ? 'Starting…' : 'Start'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Close
        </button>
      </div>
    </form>
  );
}
