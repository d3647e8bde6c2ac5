import { PROVIDER_REQUIRED_SETTING, PROVIDERS, type ProviderName, type ProviderStatus } from '@topdog/contracts';
import type { Logger } from '@topdog/runtime';
import { classifyFailure } from '../calls/failure-classes';
import { redactSecrets } from '../calls/redact-secrets';
import { secretsOf, type LlmRunnerConfig } from '../config';
import { AnthropicClient } from './anthropic.client';
import type { ModelClient } from './model-client';
import { OfflineClient } from './offline.client';
import { OpenAiClient } from './openai.client';

type Check = Pick<ProviderStatus, 'reachable' | 'checkedAt' | 'latencyMs' | 'error'>;

/**
 * The clients the settings allow: a provider without its key (or base URL) has none, and its
 * SDK is never loaded (the two weigh about 20 MB of an idle runner's memory).
 */
export async function clientsFrom(config: LlmRunnerConfig): Promise<Partial<Record<ProviderName, ModelClient>>> {
  const clients: Partial<Record<ProviderName, ModelClient>> = { offline: new OfflineClient() };
  if (config.OPENAI_API_KEY) {
    clients.openai = await OpenAiClient.create({
      provider: 'openai',
      apiKey: config.OPENAI_API_KEY,
      baseUrl: config.OPENAI_BASE_URL,
      structuredOutput: config.OPENAI_STRUCTURED_OUTPUT,
    });
  }
  if (config.ANTHROPIC_API_KEY) {
    clients.anthropic = await AnthropicClient.create({
      apiKey: config.ANTHROPIC_API_KEY,
      baseUrl: config.ANTHROPIC_BASE_URL,
      structuredOutput: config.ANTHROPIC_STRUCTURED_OUTPUT,
    });
  }
  if (config.LOCAL_LLM_BASE_URL) {
    clients.local = await OpenAiClient.create({
      provider: 'local',
      apiKey: config.LOCAL_LLM_API_KEY ?? 'not-needed',
      baseUrl: config.LOCAL_LLM_BASE_URL,
      structuredOutput: config.LOCAL_LLM_STRUCTURED_OUTPUT,
    });
  }
  return clients;
}

/**
 * Which providers this instance can call, and whether each answered its last check (the
 * original `check_all_llm_authentication`): an authenticated list-models request, at start-up
 * and then every `PROVIDER_CHECK_INTERVAL_MS`.
 */
export class ProviderRegistry {
  private readonly checks = new Map<ProviderName, Check>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly clients: Partial<Record<ProviderName, ModelClient>>,
    private readonly config: LlmRunnerConfig,
    private readonly logger: Logger,
  ) {}

  clientFor(provider: ProviderName): ModelClient | undefined {
    return this.clients[provider];
  }

  missingSetting(provider: ProviderName): string | null {
    return this.clients[provider] ? null : PROVIDER_REQUIRED_SETTING[provider];
  }

  report(): ProviderStatus[] {
    return PROVIDERS.map((provider) => {
      const client = this.clients[provider];
      const check = this.checks.get(provider) ?? { reachable: null, checkedAt: null, latencyMs: null, error: null };
      return {
        provider,
        configured: !!client,
        missingSetting: this.missingSetting(provider),
        baseUrl: client?.baseUrl ?? null,
        structuredOutput: client?.structuredOutput ?? false,
        ...check,
      };
    });
  }

  /** Checks every configured provider now (each bounded by `timeoutMs`). */
  async checkAll(timeoutMs = 5_000): Promise<void> {
    await Promise.all(
      Object.values(this.clients).map(async (client) => {
        const started = performance.now();
        try {
          await client.check(AbortSignal.timeout(timeoutMs));
          this.record(client.provider, { reachable: true, latencyMs: Math.round(performance.now() - started), error: null });
        } catch (err) {
          const failure = classifyFailure(err, false, client.errors);
          const error = redactSecrets(`${failure.errorClass}: ${failure.message}`, secretsOf(this.config)).slice(0, 500);
          this.record(client.provider, { reachable: false, latencyMs: null, error });
          this.logger.warn({ provider: client.provider, error }, 'provider check failed');
        }
      }),
    );
  }

  /** Checks now, then periodically; the first round is not awaited. */
  start(): void {
    void this.checkAll();
    const every = this.config.PROVIDER_CHECK_INTERVAL_MS;
    if (every > 0) this.timer = setInterval(() => void this.checkAll(), every).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private record(provider: ProviderName, check: Omit<Check, 'checkedAt'>): void {
    this.checks.set(provider, { ...check, checkedAt: new Date().toISOString() });
  }
}
