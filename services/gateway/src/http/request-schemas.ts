import { ForkRequest, InitializeWorkflowRequest, RoleModelsRequest } from '@topdog/contracts';
import { resolveModel } from '@topdog/models';
import type { RefinementCtx } from 'zod';

/** A model name the model table must resolve (or a provider prefix): an issue at `path` (under the field) when it does not. */
function checkModelName(ctx: RefinementCtx, name: string, path: (string | number)[] = []): void {
  const resolved = resolveModel(name);
  if (!resolved.ok) ctx.addIssue({ code: 'custom', message: resolved.reason, path });
}

/** The same check as a field rule. */
const knownModel = (name: string, ctx: RefinementCtx) => checkModelName(ctx, name);

/**
 * The initialize body with the model checked against the model table as a field rule, so an
 * unknown model is named alongside every other bad field in one 400.
 */
export const InitializeBody = InitializeWorkflowRequest.extend({
  model: InitializeWorkflowRequest.shape.model.unwrap().superRefine(knownModel).optional(),
  models: RoleModelsRequest.superRefine((models, ctx) => {
    for (const [role, name] of Object.entries(models)) checkModelName(ctx, name, [role]);
  }).optional(),
  fallback_models: InitializeWorkflowRequest.shape.fallback_models
    .unwrap()
    .superRefine((chains, ctx) => {
      const byRole = Array.isArray(chains) ? { '': chains } : chains;
      for (const [role, chain] of Object.entries(byRole)) {
        chain?.forEach((name, i) => checkModelName(ctx, name, role === '' ? [i] : [role, i]));
      }
    })
    .optional(),
}).superRefine((body, ctx) => {
  if (body.model !== undefined && body.models?.default !== undefined && body.model !== body.models.default) {
    ctx.addIssue({ code: 'custom', message: `names another default model than model (${body.model}): give one of them`, path: ['models', 'default'] });
  }
});

/** The fork body, its model checked as initialize's is. */
export const ForkBody = ForkRequest.extend({ model: ForkRequest.shape.model.unwrap().superRefine(knownModel).optional() });
