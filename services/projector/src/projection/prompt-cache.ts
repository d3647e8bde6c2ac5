import type { WorkflowEnvelope } from '@topdog/contracts';
import { PromptInterning } from '@topdog/prompts';
import { LRUCache } from 'lru-cache';
import { evolvePromptView, type PromptView } from '../read-models/prompt-context';

/**
 * The prompt views kept in memory, bounded by (approximate) bytes. A cache, not a read model:
 * a view it does not hold, or holds behind the status, is folded from the workflow's stream by
 * the query that needs it. Only this class touches the LRU.
 */
export class PromptCache {
  private readonly views: LRUCache<string, PromptView>;
  /** The views share one copy of each recorded prompt (see promptBytes). */
  private readonly interning = new PromptInterning();

  constructor(maxBytes = 64 * 2 ** 20) {
    this.views = new LRUCache({ maxSize: maxBytes, sizeCalculation: (view) => view.bytes });
  }

  /**
   * Follows one applied event. Live, the cached view moves one revision on (or is dropped when
   * it missed one). While catching up (a start, a rebuild) none is built, since most workflows
   * of a backlog are never asked for again; a view cached before is dropped, as it falls behind.
   */
  apply(event: WorkflowEnvelope, live: boolean): void {
    const workflowId = event.data.workflowId;
    const view = this.views.get(workflowId);
    if (!live) {
      if (view) this.views.delete(workflowId);
    } else if (event.type === 'WorkflowInitialized' || view?.revision === event.revision - 1) {
      const next = evolvePromptView(view, this.interning.event(event));
      if (next) this.views.set(workflowId, next);
    } else if (view && view.revision < event.revision) {
      this.views.delete(workflowId);
    }
  }

  /** The cached view, when it has reached `revision`. */
  upTo(workflowId: string, revision: number): PromptView | undefined {
    const view = this.views.get(workflowId);
    return view && view.revision >= revision ? view : undefined;
  }

  /** Keeps a view a query folded from the stream, unless a newer one is cached already. */
  remember(workflowId: string, view: PromptView): void {
    const cached = this.views.peek(workflowId);
    if (cached && cached.revision >= view.revision) return;
    const { prompts } = view.context;
    this.views.set(workflowId, prompts ? { ...view, context: { ...view.context, prompts: this.interning.prompts(prompts) } } : view);
  }

  clear(): void {
    this.views.clear();
  }
}
