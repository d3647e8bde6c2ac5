import type Anthropic from '@anthropic-ai/sdk';
import { estimateMessageTokens, estimateTokens } from '@topdog/models';
import { splitSharedContext } from '@topdog/prompts';
import type { ModelAnswer, ModelClient, ModelRequest, SdkErrorClasses } from './model-client';

/**
 * The system message as Claude's system blocks: the part every call of the workflow shares (its
 * requirements) marked for the prompt cache, so the first call writes it and every later one
 * reads it; the rest, which changes from phase to phase, unmarked (marking it would pay the
 * cache-write price on every phase for reads only by repairs and retries).
 */
function systemBlocks(system: string): Anthropic.TextBlockParam[] {
  const { shared, rest } = splitSharedContext(system);
  return [
    ...(shared ? [{ type: 'text' as const, text: shared, cache_control: { type: 'ephemeral' as const } }] : []),
    ...(rest ? [{ type: 'text' as const, text: rest }] : []),
  ];
}

export interface AnthropicClientOptions {
  apiKey: string;
  baseUrl: string | undefined;
  /** Sends `output_config.format: json_schema` for structured answers (ANTHROPIC_STRUCTURED_OUTPUT). */
  structuredOutput: boolean;
}

/**
 * Claude's Messages API through `@anthropic-ai/sdk`, streamed. Retries and timeouts are ours.
 * The current API has deprecated sampling temperature, so the workflow's temperature is not sent.
 */
export class AnthropicClient implements ModelClient {
  readonly provider = 'anthropic' as const;
  readonly baseUrl: string;
  readonly errors: SdkErrorClasses;
  readonly structuredOutput: boolean;
  private readonly sdk: Anthropic;

  private constructor(options: AnthropicClientOptions, Sdk: typeof Anthropic) {
    this.structuredOutput = options.structuredOutput;
    this.sdk = new Sdk({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0, timeout: 24 * 3600_000 });
    this.baseUrl = this.sdk.baseURL;
    this.errors = Sdk;
  }

  /** The SDK is loaded here, when the provider is configured, not by every llm-runner at start-up. */
  static async create(options: AnthropicClientOptions): Promise<AnthropicClient> {
    const { default: Sdk } = await import('@anthropic-ai/sdk');
    return new AnthropicClient(options, Sdk);
  }

  async complete(request: ModelRequest, signal: AbortSignal, onDelta: (text: string) => void): Promise<ModelAnswer> {
    const system = request.messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    const messages = request.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
    const { data: stream, request_id } = await this.sdk.messages
      .create(
        {
          model: request.providerModel,
          max_tokens: request.maxTokens,
          ...(system ? { system: systemBlocks(system) } : {}),
          messages,
          // Claude's structured outputs: the text answer is one JSON object that meets the schema.
          ...(request.structured && this.structuredOutput
            ? { output_config: { format: { type: 'json_schema' as const, schema: request.structured.schema } } }
            : {}),
          stream: true,
        },
        { signal },
      )
      .withResponse();
    let content = '';
    let inputTokens: number | null = null;
    let outputTokens: number | null = null;
    let cacheRead = 0;
    let cacheWrite = 0;
    let finishReason: string | null = null;
    let messageId: string | null = null;
    let responseModel: string | null = null;
    for await (const event of stream) {
      switch (event.type) {
        case 'message_start':
          messageId = event.message.id;
          responseModel = event.message.model;
          inputTokens = event.message.usage.input_tokens;
          outputTokens = event.message.usage.output_tokens;
          cacheRead = event.message.usage.cache_read_input_tokens ?? 0;
          cacheWrite = event.message.usage.cache_creation_input_tokens ?? 0;
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta') {
            content += event.delta.text;
            onDelta(event.delta.text);
          }
          break;
        case 'message_delta':
          outputTokens = event.usage.output_tokens ?? outputTokens;
          inputTokens = event.usage.input_tokens ?? inputTokens;
          cacheRead = event.usage.cache_read_input_tokens ?? cacheRead;
          cacheWrite = event.usage.cache_creation_input_tokens ?? cacheWrite;
          finishReason = event.delta.stop_reason ?? finishReason;
          break;
        default:
          break;
      }
    }
    return {
      content,
      // Anthropic's input_tokens leaves out what was read from and written to the cache: all three are the input.
      inputTokens: inputTokens === null ? estimateMessageTokens(request.messages) : inputTokens + cacheRead + cacheWrite,
      outputTokens: outputTokens ?? estimateTokens(content),
      cachedInputTokens: cacheRead,
      cacheWriteTokens: cacheWrite,
      providerRequestId: request_id ?? messageId,
      finishReason,
      responseModel,
    };
  }

  async check(signal: AbortSignal): Promise<void> {
    await this.sdk.models.list({}, { signal });
  }
}
