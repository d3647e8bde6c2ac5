import type { NatsConnection } from '@nats-io/transport-node';
import { PROVIDERS, REQUESTS, type ProviderName } from '@topdog/contracts';
import { request, type Logger } from '@topdog/runtime';
import type { KnownProviders } from '../workflow/decision-context';

export interface ProviderDirectoryOptions {
  /** How long an answer is trusted before asking again. */
  ttlMs?: number;
  timeoutMs?: number;
}

/** Before any llm-runner has answered: only `offline` is known, and every other answer is asked for fenced. */
const NOTHING_KNOWN: KnownProviders = {
  settings: { openai: 'unknown', anthropic: 'unknown', local: 'unknown', offline: null },
  structuredOutput: { openai: false, anthropic: false, local: false, offline: true },
};

/**
 * Which providers the llm-runner can call, and which it asks in their structured-output mode:
 * asked over NATS and kept for a few seconds. When no runner answers, the last answer stands.
 */
export class ProviderDirectory {
  private known: KnownProviders | undefined;
  private fetchedAt = 0;
  private inflight: Promise<KnownProviders> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly options: ProviderDirectoryOptions = {},
  ) {}

  /** The providers as now known, asking the llm-runner when the last answer is too old. */
  current(): Promise<KnownProviders> {
    if (this.known && Date.now() - this.fetchedAt < (this.options.ttlMs ?? 5_000)) return Promise.resolve(this.known);
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /**
   * The last answer without waiting: when it is too old (or there is none yet), the llm-runner is
   * asked in the background, so the next decision sees its current settings.
   */
  lastKnown(): KnownProviders {
    if (!this.known || Date.now() - this.fetchedAt >= (this.options.ttlMs ?? 5_000)) void this.current();
    return this.known ?? NOTHING_KNOWN;
  }

  private async fetch(): Promise<KnownProviders> {
    try {
      const report = await request(this.nc, this.prefix, REQUESTS.llmProviders, {}, this.options.timeoutMs ?? 1_000);
      const settings = Object.fromEntries(PROVIDERS.map((p) => [p, 'unknown'])) as Record<ProviderName, string | null>;
      const structuredOutput = { ...NOTHING_KNOWN.structuredOutput };
      for (const p of report.providers) {
        settings[p.provider] = p.configured ? null : (p.missingSetting ?? 'unknown');
        structuredOutput[p.provider] = p.structuredOutput;
      }
      this.known = { settings, structuredOutput };
      this.fetchedAt = Date.now();
      return this.known;
    } catch (err) {
      // Before any runner has answered, none may be running yet (they start together): not worth a warning.
      if (this.known) this.logger.warn({ err }, 'llm-runner did not report its providers');
      else this.logger.debug({ err: (err as Error).message }, 'no llm-runner has reported its providers yet');
      return this.lastKnown();
    }
  }
}
