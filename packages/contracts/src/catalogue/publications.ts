import { ProjectorApplied, WarmWorkflowStatus } from '../health';
import { TokenDelta } from '../llm/providers';
import { definePublication } from './define';

/** Every message a service publishes on core NATS without a reply. */
export const PUBLICATIONS = {
  /** A piece of a running model call's answer (never stored), by the llm-runner. */
  tokenDelta: definePublication({
    subject: (workflowId: string) => `live.workflow.${workflowId}.tokens`,
    message: TokenDelta,
    publishedBy: 'llm-runner',
    subscribedBy: ['gateway'],
  }),
  /** Each projector instance's applied position, after applying events and every second: the gateway's read-your-writes waits on it. */
  projectorApplied: definePublication({ subject: () => 'projector.applied', message: ProjectorApplied, publishedBy: 'projector', subscribedBy: ['gateway'] }),
  /** A workflow an orchestrator reads from the store for a command (not cached): each projector reads its status meanwhile. */
  warmWorkflowStatus: definePublication({
    subject: () => 'projector.warm',
    message: WarmWorkflowStatus,
    publishedBy: 'orchestrator',
    subscribedBy: ['projector'],
  }),
} as const;
