import { useState } from 'react';
import { StartWorkflow } from './StartWorkflow';
import { WorkflowList } from './WorkflowList';

/** The first page: the caller's workflows, and a form to start one. */
export function WorkflowsPage() {
  const [starting, setStarting] = useState(false);
  return (
    <section aria-labelledby="workflows-heading">
      <div className="page-heading">
        <h1 id="workflows-heading">Workflows</h1>
        <button type="button" onClick={() => setStarting((s) => !s)} aria-expanded={starting} aria-controls="start-workflow">
          {starting ? 'Close' : 'Start a workflow'}
        </button>
      </div>
      {starting && <StartWorkflow onCancel={() => setStarting(false)} />}
      <WorkflowList />
    </section>
  );
}
