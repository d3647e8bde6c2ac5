import { Loading } from '../ui/Loading';
import type { StreamedTokens } from './token-buffers';
import type { RunningCall } from './workflow-view';

/** The answer of the running call as the model writes it (plain text: it is not finished markdown). */
export function TokenStream({ running, tokens }: { running: RunningCall | null; tokens: StreamedTokens | null }) {
  if (!running) return null;
  return (
    <section className="card token-stream" aria-labelledby="stream-heading">
      <h2 id="stream-heading">
        {running.phase}: {running.model} is answering
        {tokens && tokens.attempt > 1 ? ` (attempt ${tokens.attempt})` : ''}
      </h2>
      {tokens ? (
        <>
          {tokens.gap && <p className="muted">Some of the answer streamed before this page was listening: the stored answer will be whole.</p>}
          <pre className="streamed" data-call={tokens.callId}>
            {tokens.text}
            <span className="cursor" aria-hidden="true" />
          </pre>
        </>
      ) : (
        <Loading label="Waiting for the first tokens…" />
      )}
    </section>
  );
}
