import type { NatsConnection } from '@nats-io/transport-node';
import {
  LlmCallStatusReply,
  RecordLlmResultReply,
  SUBJECTS,
  TopDogError,
  type LlmCallStatus,
  type RecordLlmResult,
  type RecordLlmResultResult,
} from '@topdog/contracts';
import { requestReply, unwrap } from '@topdog/runtime';

/** The orchestrator as the llm-runner talks to it: one query and one command, over NATS. */
export class OrchestratorClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {}

  async callStatus(workflowId: string, callId: string): Promise<LlmCallStatus['status']> {
    const reply = await requestReply(this.nc, this.prefix, SUBJECTS.llmCallStatus, { workflowId, callId }, LlmCallStatusReply, this.timeoutMs);
    return unwrap(reply).status;
  }

  async record(command: RecordLlmResult): Promise<RecordLlmResultResult> {
    const reply = await requestReply(this.nc, this.prefix, SUBJECTS.recordLlmResult, command, RecordLlmResultReply, this.timeoutMs);
    return unwrap(reply);
  }
}

/** Worth asking again later: the orchestrator was away, or the workflow was busy. */
export const isTransient = (err: unknown): boolean =>
  !(err instanceof TopDogError) || err.code === 'UNAVAILABLE' || err.code === 'CONFLICT' || err.code === 'INTERNAL';
