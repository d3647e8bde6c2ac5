// The llm-runner's own time per model call, against a local OpenAI-compatible server that
// answers at once: from the request event being stored to the provider request starting, and
// from the provider's answer ending to the result being recorded by the orchestrator. The
// runner measures both (JetStream's stored time against its own clock, on one machine) and
// reports them in its readiness details.
import { FakeLlmServer } from '@topdog/testing';
import { http, initializeBody } from '../test/support/http';
import { phaseAnswer } from '../test/support/phase-answers';
import { startSystem } from '../test/support/system';

const WORKFLOWS = Number(process.env.BENCH_LLM_WORKFLOWS ?? 100);

const openai = await FakeLlmServer.start('openai', { apiKey: 'sk-bench-0000000000', answer: phaseAnswer });
const system = await startSystem({
  OPENAI_API_KEY: 'sk-bench-0000000000',
  OPENAI_BASE_URL: openai.url,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
try {
  const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);
  const runWorkflow = async () => {
    const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ auto_advance: true }))).body.workflow_id as string;
    for (;;) {
      const s = await api('GET', `/api/ai-workflows/status/${id}`);
      if (s.body.is_complete) return;
      if (s.body.llm?.stopped) throw new Error(`workflow stopped: ${JSON.stringify(s.body.llm.stopped)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  for (let i = 0; i < 10; i++) await runWorkflow(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < WORKFLOWS; i++) await runWorkflow();
  const seconds = (performance.now() - t0) / 1000;
  const ready = await api('GET', '/readyz');
  const overhead = ready.body.services['llm-runner'].details.overhead;
  console.log(`\nllm-runner overhead per call (last ${overhead.calls} calls, ms), ${new Date().toISOString()}`);
  console.log('                                  p50      p99');
  console.log(`request stored -> provider   ${String(overhead.requestToProvider.p50).padStart(8)} ${String(overhead.requestToProvider.p99).padStart(8)}`);
  console.log(`provider answer -> recorded  ${String(overhead.providerToRecorded.p50).padStart(8)} ${String(overhead.providerToRecorded.p99).padStart(8)}`);
  console.log(`${WORKFLOWS} auto-advanced workflows (${WORKFLOWS * 6} calls) in ${seconds.toFixed(1)} s: ${((seconds * 1000) / WORKFLOWS).toFixed(1)} ms per six-phase workflow`);
} finally {
  await system[Symbol.asyncDispose]();
  await openai.close();
}
