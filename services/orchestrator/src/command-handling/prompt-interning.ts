import type { RecordedPrompt, WorkflowEnvelope } from '@topdog/contracts';

/**
 * One copy of each recorded prompt text in memory. Every workflow records its prompts (about
 * 3 KB) in its first event; the workflows a restarted orchestrator loads from the store would
 * each hold their own parsed copy of the same few texts in the state cache. Interning by version
 * and hash makes them share one. Bounded: past `limit` distinct prompts it starts afresh.
 */
export class PromptInterning {
  private readonly seen = new Map<string, RecordedPrompt>();

  constructor(private readonly limit = 1_000) {}

  /** The event, its prompts replaced by the copies already held (the same values). */
  intern(event: WorkflowEnvelope): WorkflowEnvelope {
    if (event.type !== 'WorkflowInitialized' || !event.data.prompts) return event;
    const prompts = Object.fromEntries(Object.entries(event.data.prompts).map(([role, prompt]) => [role, this.one(prompt)]));
    return { ...event, data: { ...event.data, prompts: prompts as typeof event.data.prompts } };
  }

  private one(prompt: RecordedPrompt): RecordedPrompt {
    const key = `${prompt.version}:${prompt.sha256}`;
    const held = this.seen.get(key);
    if (held && held.text === prompt.text && held.source === prompt.source) return held;
    if (this.seen.size >= this.limit) this.seen.clear();
    this.seen.set(key, prompt);
    return prompt;
  }
}
