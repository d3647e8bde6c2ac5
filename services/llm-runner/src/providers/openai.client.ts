import type { ProviderName } from '@topdog/contracts';
import type OpenAI from 'openai';
import { estimateMessageTokens, estimateTokens } from '@topdog/models';
import type { ModelAnswer, ModelClient, ModelRequest, SdkErrorClasses } from './model-client';

export interface OpenAiClientOptions {
  provider: Extract<ProviderName, 'openai' | 'local'>;
  apiKey: string;
  baseUrl: string | undefined;
  /** Sends `response_format: json_schema` for structured answers (the provider's `*_STRUCTURED_OUTPUT`). */
  structuredOutput: boolean;
}

/**
 * OpenAI's chat completions through the `openai` SDK, streamed with usage. The same client
 * serves any OpenAI-compatible local server (Ollama, vLLM, llama.cpp) by base URL. Retries
 * and timeouts are ours (the SDK's are off), so every attempt is counted and classified.
 */
export class OpenAiClient implements ModelClient {
  readonly provider: OpenAiClientOptions['provider'];
  readonly baseUrl: string;
  readonly errors: SdkErrorClasses;
  readonly structuredOutput: boolean;
  private readonly sdk: OpenAI;

  private constructor(options: OpenAiClientOptions, Sdk: typeof OpenAI) {
    this.provider = options.provider;
    this.structuredOutput = options.structuredOutput;
    this.sdk = new Sdk({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0, timeout: 24 * 3600_000 });
    this.baseUrl = this.sdk.baseURL;
    this.errors = Sdk;
  }

  /** The SDK is loaded here, when a provider needs it, not by every llm-runner at start-up. */
  static async create(options: OpenAiClientOptions): Promise<OpenAiClient> {
    const { default: Sdk } = await import('openai');
    return new OpenAiClient(options, Sdk);
  }

  async complete(request: ModelRequest, signal: AbortSignal, onDelta: (text: string) => void): Promise<ModelAnswer> {
    const limit = this.provider === 'openai' ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens };
    const { data: stream, request_id } = await this.sdk.chat.completions
      .create(
        {
          model: request.providerModel,
          messages: request.messages,
          temperature: request.temperature,
          ...limit,
          // Structured outputs: the answer is one JSON object that meets the schema, guaranteed by the API.
          ...(request.structured && this.structuredOutput
            ? {
                response_format: {
                  type: 'json_schema' as const,
                  json_schema: { name: request.structured.name, strict: true, schema: request.structured.schema },
                },
              }
            : {}),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal, headers: { 'X-Client-Request-Id': request.callId } },
      )
      .withResponse();
    let content = '';
    let finishReason: string | null = null;
    let usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens?: number } } | undefined;
    let chunkId: string | null = null;
    let responseModel: string | null = null;
    for await (const chunk of stream) {
      chunkId ??= chunk.id ?? null;
      responseModel ??= chunk.model ?? null;
      const choice = chunk.choices[0];
      const text = choice?.delta?.content;
      if (text) {
        content += text;
        onDelta(text);
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    return {
      content,
      inputTokens: usage?.prompt_tokens ?? estimateMessageTokens(request.messages),
      outputTokens: usage?.completion_tokens ?? estimateTokens(content),
      // OpenAI caches a long prompt's prefix by itself; what it read from the cache is part of prompt_tokens.
      cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      cacheWriteTokens: 0,
      providerRequestId: request_id ?? chunkId,
      finishReason,
      responseModel,
    };
  }

  async check(signal: AbortSignal): Promise<void> {
    await this.sdk.models.list({ signal });
  }
}
