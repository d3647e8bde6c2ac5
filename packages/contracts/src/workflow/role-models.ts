import * as z from 'zod';
import { PHASE_OWNER, Role, type Phase } from '../phases';

const ModelName = z.string().trim().min(1).max(200);

/** A model for some roles, replacing the workflow's default model (`model`) for their phases. */
export const RoleModels = z.partialRecord(Role, ModelName);
export type RoleModels = z.infer<typeof RoleModels>;

/** A role, or `default` for every role not named beside it. */
const RoleOrDefault = z.enum([...Role.options, 'default']);

/** `models` at initialize: a model per role, and `default` for the others (the seed's `model`). */
export const RoleModelsRequest = z.partialRecord(RoleOrDefault, ModelName);
export type RoleModelsRequest = z.infer<typeof RoleModelsRequest>;

/** The most models a fallback chain may list. */
export const MAX_FALLBACK_MODELS = 5;

/**
 * Models to call, in order, when a phase's call fails for good on its model: for some roles, and
 * `default` for the others.
 */
export const FallbackModels = z.partialRecord(RoleOrDefault, z.array(ModelName).max(MAX_FALLBACK_MODELS));
export type FallbackModels = z.infer<typeof FallbackModels>;

/** `fallback_models` at initialize: one chain for every role, or chains by role (`default` for the rest). */
export const FallbackModelsRequest = z.union([z.array(ModelName).max(MAX_FALLBACK_MODELS), FallbackModels]);
export type FallbackModelsRequest = z.infer<typeof FallbackModelsRequest>;

/** A role's model: its own, or the workflow's default. */
const modelForRole = (defaultModel: string, models: RoleModels | undefined, role: Role): string => models?.[role] ?? defaultModel;

/** The model that answers a phase: its owner's. */
export const modelForPhase = (defaultModel: string, models: RoleModels | undefined, phase: Phase): string =>
  modelForRole(defaultModel, models, PHASE_OWNER[phase]);

/** Every role's model. */
export const modelsByRole = (defaultModel: string, models: RoleModels | undefined): Record<Role, string> =>
  Object.fromEntries(Role.options.map((role) => [role, modelForRole(defaultModel, models, role)])) as Record<Role, string>;

/** The models a phase's call goes to, in order, each once: its model, then its fallbacks (the role's, else the default chain). */
export function modelChain(defaultModel: string, models: RoleModels | undefined, fallbacks: FallbackModels | undefined, phase: Phase): string[] {
  const first = modelForPhase(defaultModel, models, phase);
  const rest = fallbacks?.[PHASE_OWNER[phase]] ?? fallbacks?.default ?? [];
  return [...new Set([first, ...rest])];
}
