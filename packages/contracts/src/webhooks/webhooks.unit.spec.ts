import { describe, expect, it } from 'vitest';
import { WorkflowEvent } from '../workflow/workflow.events';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-types';
import { CreateWebhookRequest, webhookUrlProblem } from './webhooks';

describe('webhook event types', () => {
  it("are exactly the WorkflowEvent union's type names plus the five being added", () => {
    const union = WorkflowEvent.options.map((o) => o.shape.type.value);
    const upcoming = ['ApprovalRequested', 'PhaseApproved', 'PhaseRejected', 'PhaseSentBack', 'WorkflowCancelled'];
    expect(new Set(WEBHOOK_EVENT_TYPES)).toEqual(new Set([...union, ...upcoming]));
    expect(WEBHOOK_EVENT_TYPES).toHaveLength(new Set(WEBHOOK_EVENT_TYPES).size);
  });

  it('names the bad event type and its place', () => {
    const parsed = CreateWebhookRequest.safeParse({ url: 'https://h.example/x', events: ['PhaseCompleted', 'PhaseCompletd'], project_id: 'p' });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(['events.1']);
    expect(parsed.error!.issues[0]!.message).toMatch(/^unknown event type "PhaseCompletd"; one of WorkflowInitialized, /);
  });
});

describe('webhookUrlProblem', () => {
  it('accepts http(s) URLs without credentials, refuses the rest', () => {
    expect(webhookUrlProblem('https://hooks.example.com/topdog?x=1')).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/')).toBeUndefined();
    expect(webhookUrlProblem('ftp://hooks.example.com/')).toMatch(/http or https/);
    expect(webhookUrlProblem('javascript:alert(1)')).toMatch(/http or https/);
    expect(webhookUrlProblem('https://user:pw@hooks.example.com/')).toMatch(/credentials/);
    expect(webhookUrlProblem('https://user@hooks.example.com/')).toMatch(/credentials/);
    expect(webhookUrlProblem('/relative')).toMatch(/absolute/);
    expect(webhookUrlProblem(`https://h.example/${'x'.repeat(2001)}`)).toMatch(/2000/);
  });
});
