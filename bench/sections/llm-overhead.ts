// The llm-runner's own time per model call, against a local OpenAI-compatible server that
// answers at once: from the call request being queued (the orchestrator queues it, then appends
// its commit, then the runner asks whether it still waits) to the provider request starting, and
// from the provider's answer ending to the result being recorded by the orchestrator. The
// runner measures both (the queue's stored time against its own clock, on one machine) and
// reports them in its readiness details. Measured for answers asked in the provider's
// structured-output mode (gpt-4.1: a JSON Schema sent, the streamed JSON parsed for the live
// document, the answer read as JSON) and as fenced blocks (gpt-4, which has no such mode).
import { FakeLlmServer } from '@topdog/testing';
import { http, initializeBody } from '../../test/support/http';
import { phaseAnswer } from '../../test/support/phase-answers';
import { startSystem } from '../../test/support/system';
import type { Figure } from '../report/figures';

const SECTION = 'llm-runner overhead per model call (local server answering at once)';

export async function measureLlmOverhead(workflows: number): Promise<Figure[]> {
  return [...(await measureFormat(workflows, 'gpt-4.1', 'structured')), ...(await measureFormat(workflows, 'gpt-4', 'fenced'))];
}

async function measureFormat(workflows: number, model: string, format: string): Promise<Figure[]> {
  const openai = await FakeLlmServer.start('openai', { apiKey: 'sk-bench-0000000000', answer: phaseAnswer });
  const system = await startSystem({
    OPENAI_API_KEY: 'sk-bench-0000000000',
    OPENAI_BASE_URL: openai.url,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  try {
    const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);
    const runWorkflow = async () => {
      const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ auto_advance: true, model }))).body.workflow_id as string;
      for (;;) {
        const s = await api('GET', `/api/ai-workflows/status/${id}`);
        if (s.body.is_complete) return;
        if (s.body.llm?.stopped) throw new Error(`workflow stopped: ${JSON.stringify(s.body.llm.stopped)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    for (let i = 0; i < 10; i++) await runWorkflow(); // warm-up
    for (let i = 0; i < workflows; i++) await runWorkflow();
    const ready = await api('GET', '/readyz');
    const overhead = ready.body.services['llm-runner'].details.overhead;
    const note = `${model}, the runner's last ${overhead.calls} calls`;
    return [
      { section: SECTION, name: `${format}: request queued → provider request p50`, value: overhead.requestToProvider.p50, unit: 'ms', note },
      { section: SECTION, name: `${format}: request queued → provider request p99`, value: overhead.requestToProvider.p99, unit: 'ms' },
      { section: SECTION, name: `${format}: provider answer → result recorded p50`, value: overhead.providerToRecorded.p50, unit: 'ms' },
      { section: SECTION, name: `${format}: provider answer → result recorded p99`, value: overhead.providerToRecorded.p99, unit: 'ms' },
    ];
  } finally {
    await system[Symbol.asyncDispose]();
    await openai.close();
  }
}
