import { WorkflowEvent } from '../workflow/workflow.events';

/**
 * Event types being added in parallel to the workflow (approvals, cancellation): a webhook may
 * subscribe to them before they exist, and receives them once they are recorded.
 */
const UPCOMING_EVENT_TYPES = ['ApprovalRequested', 'PhaseApproved', 'PhaseRejected', 'PhaseSentBack', 'WorkflowCancelled'] as const;

/**
 * The one list of event types a webhook may subscribe to: every type of the WorkflowEvent union,
 * plus the upcoming ones (an upcoming type that has since joined the union is listed once).
 */
export const WEBHOOK_EVENT_TYPES: readonly string[] = [
  ...new Set([...WorkflowEvent.options.map((o) => o.shape.type.value as string), ...UPCOMING_EVENT_TYPES]),
];

export const isWebhookEventType = (type: string): boolean => WEBHOOK_EVENT_TYPES.includes(type);
