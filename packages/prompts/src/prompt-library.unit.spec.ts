import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROLES } from '@topdog/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPromptLibrary, PROMPT_FILES, withOverrides } from './prompt-library';

describe('prompt library', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  /** A PROMPTS_DIR holding every role's bundled prompt, with some replaced. */
  function promptsDir(replaced: Partial<Record<(typeof ROLES)[number], string>> = {}): string {
    dir = mkdtempSync(join(tmpdir(), 'prompts-'));
    const bundled = loadPromptLibrary();
    for (const role of ROLES) writeFileSync(join(dir, `${PROMPT_FILES[role]}.md`), replaced[role] ?? bundled[role].text);
    return dir;
  }

  it('versions each prompt by its file and a hash that changes with its text', () => {
    const bundled = loadPromptLibrary();
    expect(loadPromptLibrary(promptsDir())).toEqual(bundled);
    const changed = loadPromptLibrary(promptsDir({ CODE_WRITER: 'Write small functions.\n' }));
    expect(changed.CODE_WRITER).toMatchObject({
      text: 'Write small functions.',
      source: 'library',
      version: expect.stringMatching(/^code_writer@[0-9a-f]{12}$/),
    });
    expect(changed.CODE_WRITER.version).not.toBe(bundled.CODE_WRITER.version);
    expect(changed.VERIFIER).toEqual(bundled.VERIFIER);
  });

  it('refuses a folder missing a role file or holding an empty one', () => {
    const path = promptsDir();
    rmSync(join(path, 'verifier.md'));
    expect(() => loadPromptLibrary(path)).toThrow(/verifier\.md/);
    expect(() => loadPromptLibrary(promptsDir({ VERIFIER: '  \n' }))).toThrow(/verifier\.md is empty/);
  });

  it('replaces only the roles a workflow overrides, each with a custom version', () => {
    const bundled = loadPromptLibrary();
    const prompts = withOverrides(bundled, { TEST_AUDITOR: 'Audit the tests.' });
    expect(prompts.TEST_AUDITOR).toMatchObject({ source: 'custom', version: expect.stringMatching(/^custom@[0-9a-f]{12}$/) });
    expect(prompts.Q_ASSISTANT).toBe(bundled.Q_ASSISTANT);
    expect(withOverrides(bundled, undefined)).toBe(bundled);
  });
});
