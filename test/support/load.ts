import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PHASES } from '@topdog/contracts';
import { adminAuth } from './credentials';
import { initializeBody } from './http';

/** One attempt at a command: answered, or not (status 0: it timed out or its connection dropped). */
export interface Sent {
  path: string;
  startedAt: number;
  answeredAt: number;
  status: number;
  readYourWritesTimeout: boolean;
}

export interface WorkflowLoad {
  /** Every answer, in the order they came. */
  readonly sent: Sent[];
  /** Phases acknowledged (2xx) per workflow: 0 once its initialize is. */
  readonly acknowledged: Map<string, number>;
  /** Answers that are neither success nor 503 (each a line saying what). */
  readonly unexpected: string[];
  /** Commands never answered before the client gave up (each a line saying what): a stuck workflow. */
  readonly gaveUp: string[];
  /** Workflows walked to COMPLETE. */
  readonly completed: () => number;
  /** Stops starting new workflows, lets each client finish (retrying until `graceMs`), and waits for them. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * `clients` clients, each walking workflows through the six phases by hand, one after another,
 * over the gateways at `baseUrls` (client n on `baseUrls[n % length]`). Every command carries an
 * Idempotency-Key and is sent again with it on a 503 or a network error, as a careful client
 * does; anything else but success is `unexpected`.
 */
export function driveWorkflows(baseUrls: string[], clients: number, options: { timeoutMs?: number } = {}): WorkflowLoad {
  const sent: Sent[] = [];
  const acknowledged = new Map<string, number>();
  const unexpected: string[] = [];
  const gaveUp: string[] = [];
  let completed = 0;
  let stopping = false;
  let giveUpAt = Number.POSITIVE_INFINITY;

  async function command(baseUrl: string, path: string, body: unknown, key: string): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
    for (;;) {
      const startedAt = Date.now();
      try {
        const res = await fetch(`${baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'Idempotency-Key': key, ...adminAuth() },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        const answer = { status: res.status, body: (await res.json()) as Record<string, unknown> };
        const readYourWritesTimeout = res.headers.get('x-read-your-writes') === 'timeout';
        sent.push({ path, startedAt, answeredAt: Date.now(), status: res.status, readYourWritesTimeout });
        if (res.status !== 503) return answer;
      } catch {
        // The request timed out or its connection dropped: recorded, and sent again.
        sent.push({ path, startedAt, answeredAt: Date.now(), status: 0, readYourWritesTimeout: false });
      }
      if (Date.now() > giveUpAt) {
        gaveUp.push(`${path} ${key}`);
        return undefined;
      }
      await sleep(100);
    }
  }

  async function client(n: number): Promise<void> {
    const baseUrl = baseUrls[n % baseUrls.length]!;
    while (!stopping) {
      const key = `load-${n}-${randomUUID()}`;
      const init = await command(baseUrl, '/api/ai-workflows/initialize', initializeBody(), key);
      if (!init) return;
      if (init.status !== 200) {
        unexpected.push(`initialize ${init.status} ${JSON.stringify(init.body)}`);
        return;
      }
      const id = init.body.workflow_id as string;
      acknowledged.set(id, 0);
      for (let i = 0; i < PHASES.length; i++) {
        const done = await command(
          baseUrl,
          '/api/ai-workflows/complete-phase',
          { workflow_id: id, ai_response: `answer ${i}`, expected_state: PHASES[i] },
          `${key}-${i}`,
        );
        if (!done) return;
        if (done.status !== 200) {
          unexpected.push(`complete-phase ${done.status} ${JSON.stringify(done.body)}`);
          return;
        }
        acknowledged.set(id, i + 1);
      }
      completed++;
    }
  }

  const running = Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  return {
    sent,
    acknowledged,
    unexpected,
    gaveUp,
    completed: () => completed,
    async stop(graceMs = 15_000) {
      stopping = true;
      giveUpAt = Date.now() + graceMs;
      await running;
    },
  };
}
