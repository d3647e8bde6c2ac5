import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHASE_OWNER, PHASES, ROLES, type RecordedPrompt, type Role, type RolePromptOverrides } from '@topdog/contracts';
import { outputJsonSchema } from './output-schemas';
import codeWriter from '../roles/code_writer.md';
import qAssistant from '../roles/q_assistant.md';
import releaseManager from '../roles/release_manager.md';
import testAuditor from '../roles/test_auditor.md';
import verifier from '../roles/verifier.md';

/** One role's prompt: its text, version (`<file>@<12 hex>` or `custom@<12 hex>`) and hash. */
export type RolePrompt = RecordedPrompt;

/** A prompt for every role: the deployment's library, or the prompts one workflow recorded. */
export type PromptLibrary = Readonly<Record<Role, RolePrompt>>;

/** The file each role's prompt is read from (`<name>.md`), in the bundle or in PROMPTS_DIR. */
export const PROMPT_FILES: Readonly<Record<Role, string>> = {
  Q_ASSISTANT: 'q_assistant',
  CODE_WRITER: 'code_writer',
  TEST_AUDITOR: 'test_auditor',
  VERIFIER: 'verifier',
  RELEASE_MANAGER: 'release_manager',
};

const BUNDLED: Readonly<Record<Role, string>> = {
  Q_ASSISTANT: qAssistant,
  CODE_WRITER: codeWriter,
  TEST_AUDITOR: testAuditor,
  VERIFIER: verifier,
  RELEASE_MANAGER: releaseManager,
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The role's phases, in order. */
export const phasesOf = (role: Role) => PHASES.filter((p) => PHASE_OWNER[p] === role);

/**
 * A prompt with its version: `<label>@` and 12 hex of a hash over the text and the role's output
 * schemas, so the version changes when either changes what the model is asked.
 */
function rolePrompt(label: string, role: Role, raw: string, source: RolePrompt['source']): RolePrompt {
  const text = raw.trim();
  const hash = createHash('sha256').update(text);
  for (const phase of phasesOf(role)) hash.update(JSON.stringify(outputJsonSchema(phase)));
  return { version: `${label}@${hash.digest('hex').slice(0, 12)}`, sha256: sha256(text), source, text };
}

/**
 * The role prompts a workflow started now gets: the files in `dir` (`<file>.md` for each role,
 * PROMPTS_DIR) or, without one, those bundled with this build. A missing file is an error at
 * start, not a silent fallback.
 */
export function loadPromptLibrary(dir?: string): PromptLibrary {
  const entries = ROLES.map((role) => {
    const file = PROMPT_FILES[role];
    const raw = dir === undefined ? BUNDLED[role] : readFileSync(join(dir, `${file}.md`), 'utf8');
    if (raw.trim() === '') throw new Error(`prompt file ${file}.md is empty`);
    return [role, rolePrompt(file, role, raw, 'library')] as const;
  });
  return Object.fromEntries(entries) as Record<Role, RolePrompt>;
}

/** A workflow's prompts: the library's, with the given roles' texts replaced (`role_prompts`). */
export function withOverrides(library: PromptLibrary, overrides: RolePromptOverrides | undefined): PromptLibrary {
  if (!overrides) return library;
  const prompts = { ...library };
  for (const role of ROLES) {
    const text = overrides[role];
    if (text !== undefined) prompts[role] = rolePrompt('custom', role, text, 'custom');
  }
  return prompts;
}
