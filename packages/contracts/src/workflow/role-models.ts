import { z } from 'zod';
import { PHASE_OWNER, Role, type Phase } from '../phases';

const ModelName = z.string().trim().min(1).max(200);

/** A model for some roles, replacing the workflow's default model (`model`) for their phases. */
export const RoleModels = z.partialRecord(Role, ModelName);
export type RoleModels = z.infer<typeof RoleModels>;

/** `models` at initialize: a model per role, and `default` for the others (the seed's `model`). */
export const RoleModelsRequest = z.partialRecord(z.enum([...Role.options, 'default']), ModelName);
export type RoleModelsRequest = z.infer<typeof RoleModelsRequest>;

/** The model that answers a phase: its owner's, or the workflow's default. */
export const modelForPhase = (defaultModel: string, models: RoleModels | undefined, phase: Phase): string => models?.[PHASE_OWNER[phase]] ?? defaultModel;

/** Every role's model: the ones set, the default for the rest. */
export const modelsByRole = (defaultModel: string, models: RoleModels | undefined): Record<Role, string> =>
  Object.fromEntries(Role.options.map((role) => [role, models?.[role] ?? defaultModel])) as Record<Role, string>;
