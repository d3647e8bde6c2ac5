import { TopDogClient } from '@topdog/client';
import { resolveApiKey } from './api-key-source';
import { exitCodeOf } from './exit-codes';
import { createOutput, type Output } from './output';

export interface RunContext {
  client: TopDogClient;
  out: Output;
}

/** What every command gets: the client for --url and the output for --json; errors become exit codes. */
export interface CliContext {
  run(action: (c: RunContext) => Promise<number | void>): Promise<void>;
}

export function createCliContext(options: () => { url: string; json: boolean; apiKey?: string }): CliContext {
  return {
    async run(action) {
      const { url, json, apiKey } = options();
      const out = createOutput(json);
      try {
        const code = await action({ client: new TopDogClient({ baseUrl: url, apiKey: resolveApiKey(url, apiKey) }), out });
        process.exitCode = code ?? 0;
      } catch (err) {
        out.error(err);
        process.exitCode = exitCodeOf(err);
      }
    },
  };
}
