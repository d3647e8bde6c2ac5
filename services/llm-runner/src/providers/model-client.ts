import type { ChatMessage, Phase, ProviderName } from '@topdog/contracts';

/** One attempt at a model call, as a provider client sees it. */
export interface ModelRequest {
  callId: string;
  phase: Phase;
  providerModel: string;
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
  /** Present when the answer is asked for in the provider's structured-output mode: the JSON Schema it must meet. */
  structured: StructuredOutput | null;
}

/** A strict-mode JSON Schema and the name the provider shows it by. */
export interface StructuredOutput {
  name: string;
  schema: Record<string, unknown>;
}

export interface ModelAnswer {
  content: string;
  /** All input tokens, the cached ones and cache writes included. */
  inputTokens: number;
  outputTokens: number;
  /** The input read from the provider's prompt cache, and written to it. */
  cachedInputTokens: number;
  cacheWriteTokens: number;
  providerRequestId: string | null;
  finishReason: string | null;
  /** The model that answered, as the provider names it (it may differ from the one asked for: a dated version). */
  responseModel: string | null;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** The error classes of a provider's SDK (OpenAI's and Anthropic's have the same three). */
export interface SdkErrorClasses {
  APIError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
}

/** A provider's API through its official SDK (or the built-in offline model). */
export interface ModelClient {
  readonly provider: ProviderName;
  readonly baseUrl: string | null;
  /** What its failures are made of, for `classifyFailure` (none for the offline model). */
  readonly errors?: SdkErrorClasses;
  /**
   * Whether it sends a request's JSON Schema in the provider's structured-output mode (the
   * provider's `*_STRUCTURED_OUTPUT` setting). When not, a request asked for structured output
   * goes without the schema: its prompt still asks for the JSON object.
   */
  readonly structuredOutput: boolean;
  /** Streams one attempt; `onDelta` gets each piece of text as it arrives. Aborts with `signal`. */
  complete(request: ModelRequest, signal: AbortSignal, onDelta: (text: string) => void): Promise<ModelAnswer>;
  /** A cheap authenticated request (list models), to check the provider is reachable. */
  check(signal: AbortSignal): Promise<void>;
}
