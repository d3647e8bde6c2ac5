import { createHash } from 'node:crypto';
import type { Phase } from '@topdog/contracts';
import { estimateTokens, type ModelAnswer, type ModelClient, type ModelRequest } from './model-client';

/** A structured result that meets each phase's schema, worded from a digest of the request. */
function resultFor(phase: Phase, tag: string): Record<string, unknown> {
  const summary = `Offline ${phase.toLowerCase()} result ${tag} (deterministic model: no provider was called).`;
  switch (phase) {
    case 'DISCOVERY':
      return { summary, requirements: [`Requirement ${tag}-1 restated from the request`], acceptance_criteria: [`Criterion ${tag}-1 can be checked by a test`], open_questions: [] };
    case 'PLANNING':
      return { summary, tasks: [{ title: `Task ${tag}-1`, description: 'Implement the first requirement', tested_by: `Test ${tag}-1` }] };
    case 'IMPLEMENTATION':
      return { summary, changes: [{ path: `src/feature-${tag}.ts`, description: 'Adds the feature' }] };
    case 'TESTING':
      return { summary, tests: [{ name: `feature-${tag} works`, covers: `Criterion ${tag}-1` }], gaps: [] };
    case 'VERIFICATION':
      return { summary, verdict: 'pass', findings: [] };
    case 'DEPLOYMENT':
      return { summary, rollout: ['Deploy to staging', 'Deploy to production'], rollback: 'Redeploy the previous release', release_notes: `Feature ${tag}` };
  }
}

/**
 * The `offline` model: no network, no key, the same answer for the same request. It answers
 * each phase with a short text and a structured result that meets the phase's schema, streamed
 * in a few pieces like a real model. For demos and tests; used only when a workflow names it.
 */
export class OfflineClient implements ModelClient {
  readonly provider = 'offline' as const;
  readonly baseUrl = null;

  async complete(request: ModelRequest, signal: AbortSignal, onDelta: (text: string) => void): Promise<ModelAnswer> {
    const digest = createHash('sha256').update(JSON.stringify(request.messages)).digest('hex');
    const tag = digest.slice(0, 8);
    const content = `Offline answer for ${request.phase}.\n\n\`\`\`json\n${JSON.stringify(resultFor(request.phase, tag), null, 2)}\n\`\`\`\n`;
    const pieces = content.match(/[\s\S]{1,48}/g) ?? [];
    for (const piece of pieces) {
      signal.throwIfAborted();
      onDelta(piece);
      await new Promise((r) => setImmediate(r));
    }
    return {
      content,
      inputTokens: estimateTokens(request.messages.map((m) => m.content).join('')),
      outputTokens: estimateTokens(content),
      providerRequestId: `offline-${digest.slice(0, 24)}`,
      finishReason: 'stop',
    };
  }

  async check(): Promise<void> {}
}
