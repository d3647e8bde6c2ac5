import { createHash } from 'node:crypto';
import { examplePhaseResult } from '@topdog/prompts';
import { estimateMessageTokens, estimateTokens } from '@topdog/models';
import type { ModelAnswer, ModelClient, ModelRequest } from './model-client';

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
    const content = `Offline answer for ${request.phase}.\n\n\`\`\`json\n${JSON.stringify(examplePhaseResult(request.phase, tag), null, 2)}\n\`\`\`\n`;
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
    };
  }

  async check(): Promise<void> {}
}
