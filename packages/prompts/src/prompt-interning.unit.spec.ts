import type { WorkflowEnvelope } from '@topdog/contracts';
import { loadPromptLibrary, withOverrides } from './prompt-library';
import { describe, expect, it } from 'vitest';
import { PromptInterning } from './prompt-interning';

/** A WorkflowInitialized as parsed from the store: its prompts a fresh copy. */
const initialized = (prompts: unknown) => ({ type: 'WorkflowInitialized', data: { prompts: structuredClone(prompts) } }) as unknown as WorkflowEnvelope;
const promptsOf = (event: WorkflowEnvelope) => (event.type === 'WorkflowInitialized' ? event.data.prompts! : undefined)!;

describe('PromptInterning', () => {
  const library = loadPromptLibrary();

  it('gives workflows that recorded the same prompts one copy of each, with the same values', () => {
    const interning = new PromptInterning();
    const a = promptsOf(interning.event(initialized(library)));
    const b = promptsOf(interning.event(initialized(library)));
    expect(a).toEqual(library);
    expect(b.CODE_WRITER).toBe(a.CODE_WRITER);
    const custom = promptsOf(interning.event(initialized(withOverrides(library, { CODE_WRITER: 'Rust only.' }))));
    expect(custom.CODE_WRITER.text).toBe('Rust only.');
    expect(custom.VERIFIER).toBe(a.VERIFIER);
  });

  it('leaves other events and older ones without prompts as they are, and stays bounded', () => {
    const interning = new PromptInterning(2);
    const other = { type: 'PhaseCompleted', data: {} } as unknown as WorkflowEnvelope;
    expect(interning.event(other)).toBe(other);
    const old = { type: 'WorkflowInitialized', data: {} } as unknown as WorkflowEnvelope;
    expect(interning.event(old)).toBe(old);
    const first = promptsOf(interning.event(initialized(library)));
    const again = promptsOf(interning.event(initialized(library)));
    expect(again.Q_ASSISTANT).toEqual(first.Q_ASSISTANT);
  });
});
