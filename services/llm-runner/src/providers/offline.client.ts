import { createHash } from 'node:crypto';
import { examplePhaseResult } from '@topdog/prompts';
import { estimateMessageTokens, estimateTokens } from '@topdog/models';
import type { ModelAnswer, ModelClient, ModelRequest } from './model-client';

/**
 * The `offline` model: no network, no key, the same answer for the same request. It answers
 * each phase with a short text and a structured result that meets the phase's schema (as one
 * JSON object in structured mode, else ending in a fenced block), streamed in a few pieces like
 * a real model. For demos and tests; used only when a workflow names it.
 */
export class OfflineClient implements ModelClient {
  readonly provider = 'offline' as const;
  readonly baseUrl = null;
  readonly structuredOutput = true;

  async complete(request: ModelRequest, signal: AbortSignal, onDelta: (text: string) => void): Promise<ModelAnswer> {
    const digest = createHash('sha256').update(JSON.stringify(request.messages)).digest('hex');
    const tag = digest.slice(0, 8);
    const document = `Offline answer for ${request.phase}.\n\nThe built-in offline model stands in for a real one: its answer is the same for the same request, and its result meets the phase's schema.`;
    const result = examplePhaseResult(request.phase, tag);
    const content = request.structured ? JSON.stringify({ document, result }) : `${document}\n\n\`\`\`json\n${JSON.stringify(result, null, 2)}\n\`\`\`\n`;
    const pieces = content.match(/[\s\S]{1,48}/g) ?? [];
    for (const piece of pieces) {
      signal.throwIfAborted();
      onDelta(piece);
      await new Promise((r) => setImmediate(r));
    }
    return {
      content,
      inputTokens: estimateMessageTokens(request.messages),
      outputTokens: estimateTokens(content),
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      providerRequestId: `offline-${digest.slice(0, 24)}`,
      finishReason: 'stop',
      responseModel: request.providerModel,
    };
  }

  async check(): Promise<void> {}
}
