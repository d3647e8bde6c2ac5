import type { NatsConnection } from '@nats-io/transport-node';
import { isRetryableCode, REQUESTS, TopDogError, type LlmCallStatus, type RecordLlmResult, type RecordLlmResultResult } from '@topdog/contracts';
import { request } from '@topdog/runtime';

/** The orchestrator as the llm-runner talks to it: one query and one command, over NATS. */
export class OrchestratorClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {}

  async callStatus(workflowId: string, callId: string, requestId?: string): Promise<LlmCallStatus> {
    return request(this.nc, this.prefix, REQUESTS.llmCallStatus, { workflowId, callId, ...(requestId ? { requestId } : {}) }, this.timeoutMs);
  }

  async record(command: RecordLlmResult): Promise<RecordLlmResultResult> {
    return request(this.nc, this.prefix, REQUESTS.recordLlmResult, command, this.timeoutMs);
  }
}

/**
 * Worth asking again later: the orchestrator (or its event store) was away, or the workflow too
 * busy. `request` reports every failure to get an answer as UNAVAILABLE, so anything else is an
 * answer, or a bug, that asking again would not change.
 */
export const isTransient = (err: unknown): boolean => err instanceof TopDogError && isRetryableCode(err.code);
