import { describe, expect, it } from 'vitest';
import { ServiceName } from '../health';
import { PUBLICATIONS } from './publications';
import { healthRequest, REQUESTS } from './requests';

describe('message catalogue', () => {
  const requestSubjects = [...Object.values(REQUESTS).map((d) => d.subject), ...ServiceName.options.map((s) => healthRequest(s).subject)];

  it('gives every request and publication a subject of its own', () => {
    const all = [...requestSubjects, PUBLICATIONS.projectorApplied.subject(), PUBLICATIONS.warmWorkflowStatus.subject(), PUBLICATIONS.tokenDelta.subject('w')];
    expect(new Set(all).size).toBe(all.length);
  });

  it('gives each publication a pattern matching every subject it is published on', () => {
    expect(PUBLICATIONS.tokenDelta.pattern).toBe('live.workflow.*.tokens');
    expect(PUBLICATIONS.projectorApplied.pattern).toBe('projector.applied');
    expect(PUBLICATIONS.warmWorkflowStatus.pattern).toBe('projector.warm');
  });

  it('validates replies on the wire: the value by its schema, or a typed error', () => {
    const { wire } = REQUESTS.llmCallStatus;
    expect(wire.safeParse({ ok: true, value: { status: 'pending' } }).success).toBe(true);
    expect(wire.safeParse({ ok: true, value: { status: 'maybe' } }).success).toBe(false);
    expect(wire.safeParse({ ok: false, error: { code: 'NOT_FOUND', message: 'no' } }).success).toBe(true);
    expect(wire.safeParse({ ok: false, error: { code: 'TEAPOT', message: 'no' } }).success).toBe(false);
  });
});
