import { createHash } from 'node:crypto';
import { PHASE_OWNER, PHASES, type Role } from '@topdog/contracts';
import { outputJsonSchema } from './output-schemas';
import codeWriter from '../roles/code_writer.md';
import qAssistant from '../roles/q_assistant.md';
import releaseManager from '../roles/release_manager.md';
import testAuditor from '../roles/test_auditor.md';
import verifier from '../roles/verifier.md';

export interface RolePrompt {
  role: Role;
  text: string;
  /** `<file>@<12 hex of sha256(text + output schemas)>`: changes when the file or a schema changes. */
  version: string;
}

export type PromptLibrary = Readonly<Record<Role, RolePrompt>>;

const FILES: Record<Role, [file: string, text: string]> = {
  Q_ASSISTANT: ['q_assistant', qAssistant],
  CODE_WRITER: ['code_writer', codeWriter],
  TEST_AUDITOR: ['test_auditor', testAuditor],
  VERIFIER: ['verifier', verifier],
  RELEASE_MANAGER: ['release_manager', releaseManager],
};

function versionOf(file: string, role: Role, text: string): string {
  const hash = createHash('sha256').update(text);
  for (const phase of PHASES.filter((p) => PHASE_OWNER[p] === role)) hash.update(JSON.stringify(outputJsonSchema(phase)));
  return `${file}@${hash.digest('hex').slice(0, 12)}`;
}

/** The role prompts shipped with this build, each with its content-hash version. */
export function loadPromptLibrary(): PromptLibrary {
  const entries = Object.entries(FILES).map(([role, [file, raw]]) => {
    const text = raw.trim();
    return [role, { role: role as Role, text, version: versionOf(file, role as Role, text) }] as const;
  });
  return Object.fromEntries(entries) as Record<Role, RolePrompt>;
}
