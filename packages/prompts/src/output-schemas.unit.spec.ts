import { describe, expect, it } from 'vitest';
import { buildPrompt, repairMessages } from './build-prompt';
import { PHASES } from '@topdog/contracts';
import { examplePhaseResult, outputJsonSchema, parsePhaseResult } from './output-schemas';
import { loadPromptLibrary } from './prompt-library';

const discovery = { summary: 's', requirements: ['r'], acceptance_criteria: ['a'], open_questions: [] };

describe('phase output schemas', () => {
  it("has an example result that meets each phase's schema", () => {
    for (const phase of PHASES) expect(parsePhaseResult(phase, JSON.stringify(examplePhaseResult(phase, 't'))).ok, phase).toBe(true);
  });

  it('reads the last fenced json block of an answer', () => {
    const content = `Notes\n\`\`\`json\n{"draft": true}\n\`\`\`\nFinal:\n\`\`\`json\n${JSON.stringify(discovery)}\n\`\`\`\n`;
    expect(parsePhaseResult('DISCOVERY', content)).toEqual({ ok: true, value: discovery });
  });

  it('accepts an answer that is the JSON object itself', () => {
    expect(parsePhaseResult('DISCOVERY', JSON.stringify(discovery)).ok).toBe(true);
  });

  it('names each schema error, a missing block and bad JSON', () => {
    const wrong = parsePhaseResult('VERIFICATION', '```json\n{"summary": "", "verdict": "maybe"}\n```');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.errors.join('\n')).toMatch(/summary[\s\S]*verdict[\s\S]*findings/);
    expect(parsePhaseResult('PLANNING', 'no json here')).toEqual({ ok: false, errors: ['the answer has no fenced ```json block'] });
    const bad = parsePhaseResult('PLANNING', '```json\n{"tasks": [\n```');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/does not parse/);
  });

  it('shows the schema in the system message and asks again with the errors', () => {
    const prompt = buildPrompt(
      { workflowId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5', state: 'TESTING', model: 'gpt-4', temperature: 0, maxTokens: 10, requirements: {}, phases: [] },
      loadPromptLibrary(),
    );
    expect(prompt.messages[0]?.content).toContain(JSON.stringify(outputJsonSchema('TESTING'), null, 2));
    const again = repairMessages(prompt.messages, 'my answer', ['tests: Required']);
    expect(again.slice(-2)).toEqual([
      { role: 'assistant', content: 'my answer' },
      { role: 'user', content: expect.stringContaining('- tests: Required') },
    ]);
  });
});
