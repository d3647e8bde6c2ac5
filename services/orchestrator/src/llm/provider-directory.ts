import type { NatsConnection } from '@nats-io/transport-node';
import { PROVIDERS, REQUESTS, type ProviderName } from '@topdog/contracts';
import { request, type Logger } from '@topdog/runtime';
import type { ProviderSettings } from '../workflow/decision-context';

export interface ProviderDirectoryOptions {
  /** How long an answer is trusted before asking again. */
  ttlMs?: number;
  timeoutMs?: number;
}

/**
 * Which providers the llm-runner can call, asked over NATS and kept for a few seconds. When no
 * runner answers, the last answer stands; before any answer, only `offline` is known.
 */
export class ProviderDirectory {
  private known: ProviderSettings | undefined;
  private fetchedAt = 0;
  private inflight: Promise<ProviderSettings> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly options: ProviderDirectoryOptions = {},
  ) {}

  settings(): Promise<ProviderSettings> {
    if (this.known && Date.now() - this.fetchedAt < (this.options.ttlMs ?? 5_000)) return Promise.resolve(this.known);
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<ProviderSettings> {
    try {
      const report = await request(this.nc, this.prefix, REQUESTS.llmProviders, {}, this.options.timeoutMs ?? 1_000);
      const settings = Object.fromEntries(PROVIDERS.map((p) => [p, 'unknown'])) as Record<ProviderName, string | null>;
      for (const p of report.providers) settings[p.provider] = p.configured ? null : (p.missingSetting ?? 'unknown');
      this.known = settings;
      this.fetchedAt = Date.now();
      return settings;
    } catch (err) {
      this.logger.warn({ err }, 'llm-runner did not report its providers');
      return this.known ?? { openai: 'unknown', anthropic: 'unknown', local: 'unknown', offline: null };
    }
  }
}
