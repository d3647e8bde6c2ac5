import { WorkflowEvent } from '../workflow/workflow.events';

/** The event types a webhook may subscribe to: every type of the WorkflowEvent union. */
export const WEBHOOK_EVENT_TYPES: readonly string[] = WorkflowEvent.options.map((o) => o.shape.type.value as string);

export const isWebhookEventType = (type: string): boolean => WEBHOOK_EVENT_TYPES.includes(type);
