import { InitializeWorkflowRequest } from '@topdog/contracts';
import { resolveModel } from '@topdog/models';

/**
 * The initialize body with the model checked against the model table as a field rule, so an
 * unknown model is named alongside every other bad field in one 400.
 */
export const InitializeBody = InitializeWorkflowRequest.extend({
  model: InitializeWorkflowRequest.shape.model.superRefine((name, ctx) => {
    const resolved = resolveModel(name);
    if (!resolved.ok) ctx.addIssue({ code: 'custom', message: resolved.reason });
  }),
});
