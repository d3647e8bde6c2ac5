import type { RecordedPrompt, WorkflowEnvelope, WorkflowPrompts } from '@topdog/contracts';

/**
 * One copy of each recorded prompt in memory. Every workflow records its prompts (about 3 KB
 * with the bundled ones) in its first event, and each event parsed from the store brings its own
 * copy of the same few texts: the orchestrator's state cache and the projector's prompt views
 * would hold one per workflow. Interning by version and hash makes them share one. Bounded: past
 * `limit` distinct prompts it starts afresh.
 */
export class PromptInterning {
  private readonly seen = new Map<string, RecordedPrompt>();

  constructor(private readonly limit = 1_000) {}

  /** The same prompts, each replaced by the copy already held. */
  prompts(prompts: WorkflowPrompts): WorkflowPrompts {
    return Object.fromEntries(Object.entries(prompts).map(([role, prompt]) => [role, this.one(prompt)])) as WorkflowPrompts;
  }

  /** The event, its recorded prompts (if it is a start that has them) replaced by the copies held. */
  event(event: WorkflowEnvelope): WorkflowEnvelope {
    if (event.type !== 'WorkflowInitialized' || !event.data.prompts) return event;
    return { ...event, data: { ...event.data, prompts: this.prompts(event.data.prompts) } };
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
