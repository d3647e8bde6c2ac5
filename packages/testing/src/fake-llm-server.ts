import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which API's wire format the server speaks. */
export type FakeLlmApi = 'openai' | 'anthropic';

/** How the server answers one model request. */
export type FakeBehaviour =
  /** A normal answer, streamed when the request asks for it. */
  | {
      kind: 'answer';
      content?: string;
      chunkDelayMs?: number;
      /** All input tokens, what the cache gave and took included. */
      inputTokens?: number;
      outputTokens?: number;
      /** Input read from the prompt cache, and written to it, reported in the API's usage fields (streamed answers). */
      cachedInputTokens?: number;
      cacheWriteTokens?: number;
    }
  /** An HTTP error in the API's error shape (429 with `retry-after`, 500, 401...). */
  | { kind: 'status'; status: number; message?: string; headers?: Record<string, string> }
  /** Never answers: the client's timeout must end it. */
  | { kind: 'hang' }
  /** Starts streaming, then drops the connection. */
  | { kind: 'drop-mid-stream' }
  /** 200 with a body (or stream event) that is not JSON. */
  | { kind: 'malformed' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown> | undefined;
  /** performance.timeOrigin-based ms, comparable across processes of one machine. */
  receivedAtMs: number;
  /** When the response finished (or broke off). */
  respondedAtMs: number | undefined;
}

export interface FakeLlmServerOptions {
  /** The key a request must carry (Authorization: Bearer, or Anthropic's older x-api-key); any when absent. */
  apiKey?: string;
  /** The answer's text when a behaviour gives none: a function of the request body. */
  answer?: (body: Record<string, unknown>) => string;
  /** How a model request is answered once the script is empty (default: an answer). */
  otherwise?: FakeBehaviour;
  /**
   * False: a server without a structured-output mode, which refuses a request for one with a 400
   * (as an older local server does). Otherwise it checks the schema is strict-mode (400 if not).
   */
  structuredOutput?: boolean;
}

/** The JSON Schema a model request asks its answer to meet: OpenAI's `response_format`, Anthropic's `output_config.format`. */
export function requestedSchema(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const openai = body.response_format as { type?: string; json_schema?: { schema?: Record<string, unknown> } } | undefined;
  if (openai?.type === 'json_schema') return openai.json_schema?.schema ?? {};
  const anthropic = (body.output_config as { format?: { type?: string; schema?: Record<string, unknown> } } | undefined)?.format;
  if (anthropic?.type === 'json_schema') return anthropic.schema ?? {};
  return undefined;
}

/** Why a structured-output request would be refused by the API (strict mode's rules), or null. */
function strictModeProblem(api: FakeLlmApi, body: Record<string, unknown>, schema: Record<string, unknown>): string | null {
  if (api === 'openai') {
    const format = (body.response_format as { json_schema?: { name?: unknown; strict?: unknown } }).json_schema;
    if (typeof format?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(format.name))
      return 'response_format.json_schema.name: must match ^[a-zA-Z0-9_-]{1,64}$';
    if (format.strict !== true) return 'response_format.json_schema.strict: this server checks only strict schemas';
  }
  const open = (node: unknown, path: string): string | null => {
    if (typeof node !== 'object' || node === null) return null;
    if (Array.isArray(node)) return node.map((n, i) => open(n, `${path}[${i}]`)).find((p) => p !== null) ?? null;
    const n = node as Record<string, unknown>;
    if (n.type === 'object') {
      if (n.additionalProperties !== false) return `${path}: additionalProperties must be false`;
      const keys = Object.keys((n.properties as object | undefined) ?? {});
      const required = (n.required as string[] | undefined) ?? [];
      if (keys.some((k) => !required.includes(k))) return `${path}: every property must be required`;
    }
    return (
      Object.entries(n)
        .map(([k, v]) => open(v, `${path}.${k}`))
        .find((p) => p !== null) ?? null
    );
  };
  return open(schema, 'schema');
}

const nowMs = () => performance.timeOrigin + performance.now();

/**
 * A local HTTP server that speaks OpenAI's chat completions or Anthropic's messages wire
 * format, plain JSON and SSE-streamed, and injects faults from a script. The real SDKs are
 * pointed at it by base URL. Every request is recorded for assertions.
 */
export class FakeLlmServer {
  readonly requests: RecordedRequest[] = [];
  private readonly script: FakeBehaviour[] = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private ids = 0;
  url = '';

  private constructor(
    readonly api: FakeLlmApi,
    private readonly options: FakeLlmServerOptions,
  ) {}

  static async start(api: FakeLlmApi, options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
    const fake = new FakeLlmServer(api, options);
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    const { port } = fake.server.address() as AddressInfo;
    fake.url = api === 'openai' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`;
    return fake;
  }

  /** Queues behaviours for the next model requests, in order; after them, answers. */
  respondWith(...behaviours: FakeBehaviour[]): this {
    this.script.push(...behaviours);
    return this;
  }

  /** The model requests received (listing models is not one). */
  get calls(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions') || r.path.endsWith('/messages'));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0]!,
      headers: req.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
      receivedAtMs: nowMs(),
      respondedAtMs: undefined,
    };
    this.requests.push(recorded);
    res.on('close', () => (recorded.respondedAtMs ??= nowMs()));

    const key = String(req.headers['x-api-key'] ?? req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (this.options.apiKey !== undefined && key !== this.options.apiKey) {
      // Like OpenAI's 401, the message echoes the key it was given: the client must redact it.
      return this.error(res, 401, `Incorrect API key provided: ${key}`, {});
    }
    if (recorded.path.endsWith('/models')) return this.models(res);
    if (!recorded.path.endsWith('/chat/completions') && !recorded.path.endsWith('/messages')) {
      return this.error(res, 404, `no route ${recorded.path}`, {});
    }
    const body = recorded.body ?? {};
    const schema = requestedSchema(body);
    if (schema && this.options.structuredOutput === false) return this.error(res, 400, 'response format json_schema is not supported by this server', {});
    const problem = schema ? strictModeProblem(this.api, body, schema) : null;
    if (problem) return this.error(res, 400, `invalid schema for structured output: ${problem}`, {});
    const behaviour = this.script.shift() ?? this.options.otherwise ?? { kind: 'answer' };
    switch (behaviour.kind) {
      case 'status':
        return this.error(res, behaviour.status, behaviour.message ?? `status ${behaviour.status}`, behaviour.headers ?? {});
      case 'hang':
        return; // the connection stays open until the client gives up
      case 'malformed':
        return this.malformed(res, body.stream === true);
      case 'drop-mid-stream':
        return this.answer(res, body, { kind: 'answer', content: 'this answer will be cut off before it ends' }, true);
      case 'answer':
        return this.answer(res, body, behaviour, false);
    }
  }

  private requestId(): string {
    return `req_fake_${++this.ids}`;
  }

  private error(res: ServerResponse, status: number, message: string, headers: Record<string, string>): void {
    const body =
      this.api === 'openai'
        ? { error: { message, type: status === 429 ? 'rate_limit_exceeded' : status < 500 ? 'invalid_request_error' : 'server_error', code: null } }
        : { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : status < 500 ? 'invalid_request_error' : 'api_error', message } };
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': this.requestId(), 'request-id': this.requestId(), ...headers });
    res.end(JSON.stringify(body));
  }

  private models(res: ServerResponse): void {
    const body =
      this.api === 'openai'
        ? { object: 'list', data: [{ id: 'gpt-4', object: 'model', created: 0, owned_by: 'fake' }] }
        : {
            data: [{ id: 'claude-sonnet-4-6', type: 'model', display_name: 'Claude', created_at: '2026-01-01T00:00:00Z' }],
            has_more: false,
            first_id: null,
            last_id: null,
          };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private malformed(res: ServerResponse, stream: boolean): void {
    if (stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(this.api === 'openai' ? 'data: {"id": "chatcmpl-1", "choices": [\n\n' : 'event: message_start\ndata: {"type": "message_start", "message": \n\n');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "broken", ');
    }
  }

  private async answer(res: ServerResponse, body: Record<string, unknown>, b: Extract<FakeBehaviour, { kind: 'answer' }>, drop: boolean): Promise<void> {
    const content = b.content ?? this.options.answer?.(body) ?? 'Fake answer.';
    const inputTokens = b.inputTokens ?? 100;
    const outputTokens = b.outputTokens ?? Math.max(1, Math.ceil(content.length / 4));
    const model = typeof body.model === 'string' ? body.model : 'fake';
    const id = this.requestId();
    const pieces = content.match(/[\s\S]{1,16}/g) ?? [''];
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': id, 'request-id': id });
      res.end(
        JSON.stringify(
          this.api === 'openai'
            ? openAiCompletion(id, model, content, inputTokens, outputTokens)
            : anthropicMessage(id, model, content, inputTokens, outputTokens),
        ),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': id, 'request-id': id });
    const cache = { read: b.cachedInputTokens ?? 0, write: b.cacheWriteTokens ?? 0 };
    const events =
      this.api === 'openai'
        ? openAiStream(id, model, pieces, inputTokens, outputTokens, cache)
        : anthropicStream(id, model, pieces, inputTokens, outputTokens, cache);
    let sent = 0;
    for (const event of events) {
      if (drop && sent === 3) {
        res.socket?.destroy();
        return;
      }
      res.write(event);
      sent++;
      if (b.chunkDelayMs) await new Promise((r) => setTimeout(r, b.chunkDelayMs));
      if (res.destroyed) return;
    }
    res.end();
  }
}

function openAiCompletion(id: string, model: string, content: string, inputTokens: number, outputTokens: number) {
  return {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
  };
}

/** What a streamed answer says the prompt cache gave (read) and took (write), in tokens. */
interface CacheUsage {
  read: number;
  write: number;
}

function* openAiStream(id: string, model: string, pieces: string[], inputTokens: number, outputTokens: number, cache: CacheUsage): Generator<string> {
  const chunk = (choices: unknown[], extra: object = {}) =>
    `data: ${JSON.stringify({ id: `chatcmpl-${id}`, object: 'chat.completion.chunk', created: 0, model, choices, ...extra })}\n\n`;
  yield chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  for (const piece of pieces) yield chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]);
  yield chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]);
  // OpenAI counts cached tokens inside prompt_tokens, and reports them apart in prompt_tokens_details.
  const usage = { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
  yield chunk([], { usage: cache.read > 0 ? { ...usage, prompt_tokens_details: { cached_tokens: cache.read } } : usage });
  yield 'data: [DONE]\n\n';
}

function anthropicMessage(id: string, model: string, content: string, inputTokens: number, outputTokens: number) {
  return {
    id: `msg_${id}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: content }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: inputTokens, output_tokens: outputTokens },
  };
}

function* anthropicStream(id: string, model: string, pieces: string[], inputTokens: number, outputTokens: number, cache: CacheUsage): Generator<string> {
  const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  yield event('message_start', {
    message: {
      id: `msg_${id}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Anthropic's input_tokens leaves out the cache's reads and writes, reported beside it.
      usage: {
        input_tokens: inputTokens - cache.read - cache.write,
        output_tokens: 1,
        ...(cache.read + cache.write > 0 ? { cache_read_input_tokens: cache.read, cache_creation_input_tokens: cache.write } : {}),
      },
    },
  });
  yield event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  yield event('ping', {});
  for (const piece of pieces) yield event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
  yield event('content_block_stop', { index: 0 });
  yield event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: outputTokens } });
  yield event('message_stop', {});
}
