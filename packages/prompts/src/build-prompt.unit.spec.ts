import { describe, expect, it } from 'vitest';
import { buildPrompt, repairMessages, splitSharedContext } from './build-prompt';
import { loadPromptLibrary } from './prompt-library';
import type { PromptContext } from './prompt-context';

const library = loadPromptLibrary();
const base: PromptContext = {
  workflowId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
  state: 'DISCOVERY',
  model: 'gpt-4',
  temperature: 0.7,
  maxTokens: 2000,
  requirements: { description: 'Build X feature' },
  phases: [],
};

describe('buildPrompt', () => {
  it('opens DISCOVERY with the Q Assistant prompt, the state and the requirements', () => {
    const prompt = buildPrompt(base, library);
    expect(prompt).toMatchObject({ model: 'gpt-4', temperature: 0.7, maxTokens: 2000, role: 'Q_ASSISTANT', state: 'DISCOVERY' });
    expect(prompt.messages).toHaveLength(2);
    const [system, user] = prompt.messages;
    expect(system?.role).toBe('system');
    expect(system?.content).toContain('You are Q Assistant');
    expect(system?.content).toContain('Current state: DISCOVERY');
    expect(system?.content).toContain('"description": "Build X feature"');
    expect(user).toEqual({ role: 'user', content: expect.stringContaining('Phase DISCOVERY') });
    expect(prompt.promptVersion).toMatch(/^q_assistant@[0-9a-f]{12}$/);
  });

  it("keeps each role's history to itself and shows every earlier result", () => {
    const ctx: PromptContext = {
      ...base,
      state: 'IMPLEMENTATION',
      phases: [
        { phase: 'DISCOVERY', role: 'Q_ASSISTANT', aiResponse: 'requirements doc', phaseResult: { reqs: 3 } },
        { phase: 'PLANNING', role: 'Q_ASSISTANT', aiResponse: 'the plan', phaseResult: { tasks: 5 } },
      ],
    };
    const implementation = buildPrompt(ctx, library);
    expect(implementation.role).toBe('CODE_WRITER');
    expect(implementation.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(implementation.messages[0]?.content).toContain('You are Code Writer');
    expect(implementation.messages[0]?.content).toMatch(/### DISCOVERY \(Q_ASSISTANT\)[\s\S]*"reqs": 3[\s\S]*### PLANNING/);

    const planning = buildPrompt({ ...ctx, state: 'PLANNING', phases: ctx.phases.slice(0, 1) }, library);
    expect(planning.messages.map((m) => [m.role, m.content.slice(0, 16)])).toEqual([
      ['system', '## Requirements\n'],
      ['user', 'Phase DISCOVERY:'],
      ['assistant', 'requirements doc'],
      ['user', 'Phase PLANNING: '],
    ]);
  });

  it('uses the workflow settings and refuses a complete workflow', () => {
    expect(buildPrompt({ ...base, model: 'claude', temperature: 0.2, maxTokens: 512 }, library)).toMatchObject({
      model: 'claude',
      temperature: 0.2,
      maxTokens: 512,
    });
    expect(() => buildPrompt({ ...base, state: 'COMPLETE' }, library)).toThrow(RangeError);
  });

  it('asks for the answer in the format the call uses: a fenced block by default, one JSON object in structured mode', () => {
    const system = (format?: 'structured' | 'fenced') => buildPrompt({ ...base, answerFormat: format }, library).messages[0]!.content;
    expect(system()).toContain('End your answer with one fenced ```json block');
    expect(system('fenced')).toBe(system());
    expect(system('structured')).toContain('Answer with one JSON object: `document`');
    expect(system('structured')).not.toContain('fenced');
    // Only that paragraph differs: the rest of the prefix (and so the prompt cache) is shared.
    expect(system('structured').split('## Structured result')[0]).toBe(system().split('## Structured result')[0]);
  });

  it('opens the system message with what every call of the workflow shares: the requirements, cut off for the prompt cache', () => {
    const discovery = buildPrompt(base, library).messages[0]!.content;
    const implementation = buildPrompt(
      { ...base, state: 'IMPLEMENTATION', phases: [{ phase: 'DISCOVERY', role: 'Q_ASSISTANT', aiResponse: 'r', phaseResult: { a: '\n\n' } }] },
      library,
    ).messages[0]!.content;
    const shared = splitSharedContext(discovery).shared;
    expect(shared).toBe('## Requirements\n{\n  "description": "Build X feature"\n}');
    expect(splitSharedContext(implementation).shared).toBe(shared);
    expect(splitSharedContext(discovery).rest).toMatch(/^You are Q Assistant/);
    expect(`${shared}\n\n${splitSharedContext(implementation).rest}`).toBe(implementation);
    // Requirements holding blank lines in their strings are still one block: JSON escapes them.
    const multiline = buildPrompt({ ...base, requirements: { description: 'one\n\ntwo' } }, library).messages[0]!.content;
    expect(splitSharedContext(multiline).shared).toContain('one\\n\\ntwo');
    expect(splitSharedContext('You are someone else.\n\nMore.')).toEqual({ shared: '', rest: 'You are someone else.\n\nMore.' });
  });

  it('asks a repair again in the format of the answer it repairs', () => {
    const sent = buildPrompt(base, library).messages;
    expect(repairMessages(sent, 'x', ['summary: Required']).at(-1)?.content).toMatch(
      /- summary: Required\nAnswer again in full, ending with one corrected fenced/,
    );
    expect(repairMessages(sent, '{}', ['summary: Required'], 'structured').at(-1)?.content).toMatch(/one JSON object with `document` and a corrected `result`/);
  });

  it('versions every role prompt by content', () => {
    const versions = Object.values(library).map((p) => p.version);
    expect(new Set(versions).size).toBe(5);
  });
});

describe('reviewer feedback in the prompt', () => {
  const planning: PromptContext = {
    ...base,
    state: 'PLANNING',
    phases: [{ phase: 'DISCOVERY', role: 'Q_ASSISTANT', aiResponse: 'requirements doc', phaseResult: { reqs: 3 } }],
  };

  it('follows a rejected answer with the comment, then asks for the phase again', () => {
    const prompt = buildPrompt({ ...planning, feedback: [{ kind: 'rejected', from: 'PLANNING', answer: 'plan v1', comment: 'split task 3' }] }, library);
    expect(prompt.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(prompt.messages[3]?.content).toMatch(/^Phase PLANNING:/);
    expect(prompt.messages[4]).toEqual({ role: 'assistant', content: 'plan v1' });
    expect(prompt.messages[5]?.content).toMatch(/^Reviewer feedback: your answer above was rejected\.\nsplit task 3[\s\S]*Phase PLANNING:/);
  });

  it('puts a send-back reason in the phase turn, with no superseded answer', () => {
    const prompt = buildPrompt(
      {
        ...base,
        state: 'IMPLEMENTATION',
        phases: planning.phases,
        feedback: [{ kind: 'sent_back', from: 'VERIFICATION', answer: null, comment: 'the build is red' }],
      },
      library,
    );
    expect(prompt.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(prompt.messages[1]?.content).toMatch(/^Phase IMPLEMENTATION:[\s\S]*sent back to you from VERIFICATION\.\nthe build is red$/);
  });

  it('keeps every rejection in order', () => {
    const prompt = buildPrompt(
      {
        ...planning,
        feedback: [
          { kind: 'rejected', from: 'PLANNING', answer: 'plan v1', comment: 'too long' },
          { kind: 'rejected', from: 'PLANNING', answer: 'plan v2', comment: 'too short' },
        ],
      },
      library,
    );
    const contents = prompt.messages.slice(3).map((m) => `${m.role}:${m.content.split('\n')[0]}`);
    expect(contents).toEqual([
      'user:Phase PLANNING: Create implementation plan: break the requirements into ordered, testable tasks.',
      'assistant:plan v1',
      'user:Reviewer feedback: your answer above was rejected.',
      'assistant:plan v2',
      'user:Reviewer feedback: your answer above was rejected.',
    ]);
    expect(prompt.messages.at(-1)?.content).toContain('too short');
  });

  it('has no prompt for a cancelled workflow', () => {
    expect(() => buildPrompt({ ...base, state: 'CANCELLED' }, library)).toThrow(RangeError);
  });
});
