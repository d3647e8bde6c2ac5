import { PHASES, type Phase } from '@topdog/contracts';
import { TopDogApiError } from '@topdog/client';
import { useState, type FormEvent } from 'react';
import { hrefOf } from '../app/routes';
import { useSession } from '../session/session-context';
import { ErrorMessage } from '../ui/ErrorMessage';
import { useAsync, useCommand } from '../ui/use-async';
import { startRequestOf, type StartForm } from './start-request';

const EMPTY: StartForm = {
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

/** Starts a workflow (model, requirements, auto-advance, approvals, budget), then opens it. */
export function StartWorkflow({ onCancel }: { onCancel: () => void }) {
  const { client } = useSession();
  const [form, setForm] = useState<StartForm>(EMPTY);
  const models = useAsync(() => client.models(), [client]);
  const start = useCommand(async (f: StartForm) => {
    const built = startRequestOf(f);
    if ('errors' in built) throw new TopDogApiError(400, 'VALIDATION_FAILED', 'some fields need another value', built.errors);
    const started = await client.initialize(built.request, { idempotencyKey: crypto.randomUUID() });
    window.location.hash = hrefOf({ page: 'workflow', workflowId: started.workflow_id });
    return started;
  });
  const set = <K extends keyof StartForm>(name: K, value: StartForm[K]) => setForm((f) => ({ ...f, [name]: value }));
  const text = (name: 'projectId' | 'buildId' | 'userId' | 'model' | 'maxCostUsd' | 'maxTokens') => ({
    id: `start-${name}`,
    name,
    value: form[name],
    onChange: (e: { target: { value: string } }) => set(name, e.target.value),
  });
  const toggleApproval = (phase: Phase, on: boolean) => set('approvals', on ? [...form.approvals, phase] : form.approvals.filter((p) => p !== phase));

  return (
    <form
      id="start-workflow"
      className="card start-workflow"
      aria-labelledby="start-heading"
      aria-busy={start.pending}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void start.run(form);
      }}
    >
      <h2 id="start-heading">Start a workflow</h2>
      <div className="grid">
        <div>
          <label htmlFor="start-projectId">Project</label>
          <input {...text('projectId')} required />
        </div>
        <div>
          <label htmlFor="start-userId">User</label>
          <input {...text('userId')} required />
        </div>
        <div>
          <label htmlFor="start-buildId">Build (optional)</label>
          <input {...text('buildId')} />
        </div>
        <div>
          <label htmlFor="start-model">Model</label>
          <input {...text('model')} list="start-model-names" aria-describedby="start-model-help" />
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
        aria-describedby="start-requirements-help"
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
            <label htmlFor="start-maxCostUsd">Most dollars</label>
            <input {...text('maxCostUsd')} inputMode="decimal" />
          </div>
          <div>
            <label htmlFor="start-maxTokens">Most tokens</label>
            <input {...text('maxTokens')} inputMode="numeric" />
          </div>
        </div>
      </fieldset>
      <ErrorMessage error={start.error} />
      <div className="buttons">
        <button type="submit" disabled={start.pending}>
          {start.pending ? 'Starting…' : 'Start'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
