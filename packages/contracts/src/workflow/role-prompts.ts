import * as z from 'zod';
import { Phase, Role } from '../phases';

/** The longest role prompt a workflow may set for itself (`role_prompts`), in characters. */
export const MAX_ROLE_PROMPT_CHARS = 32_000;

/**
 * One role's system prompt as a workflow uses it: the text itself, so the workflow's prompts
 * never change under it, with its version and hash. `library` prompts come from the
 * deployment's prompt files (version `<file>@<12 hex>`); `custom` ones were given for this
 * workflow at initialize or fork (version `custom@<12 hex>`).
 */
export const RecordedPrompt = z.object({
  version: z.string(),
  /** Hex SHA-256 of `text`. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.enum(['library', 'custom']),
  text: z.string(),
});
export type RecordedPrompt = z.infer<typeof RecordedPrompt>;

/** Every role's prompt, as a workflow records them when it starts. */
export const WorkflowPrompts = z.record(Role, RecordedPrompt);
export type WorkflowPrompts = z.infer<typeof WorkflowPrompts>;

/** `role_prompts` at initialize or fork: some roles' prompt texts, replacing the library's for one workflow. */
export const RolePromptOverrides = z.partialRecord(Role, z.string().trim().min(1).max(MAX_ROLE_PROMPT_CHARS));
export type RolePromptOverrides = z.infer<typeof RolePromptOverrides>;

/** Asks the orchestrator for the prompts a workflow started now would get. */
export const GetPromptLibrary = z.object({}).default({});
export type GetPromptLibrary = z.infer<typeof GetPromptLibrary>;

export const PromptLibraryReport = z.object({
  prompts: z.array(RecordedPrompt.extend({ role: Role, phases: z.array(Phase) })),
});
export type PromptLibraryReport = z.infer<typeof PromptLibraryReport>;

/** GET /api/prompts. */
export const PromptsResponse = z.object({ prompts: z.array(RecordedPrompt.omit({ source: true }).extend({ role: Role, phases: z.array(Phase) })) });
export type PromptsResponse = z.infer<typeof PromptsResponse>;
