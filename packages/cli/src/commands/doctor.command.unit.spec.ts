import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_LIMIT_MS, fixFor, readinessFindings } from './doctor.command';

describe('doctor: what /readyz says, as findings', () => {
  it('names each dependency with what it saw, and a fix for each one down', () => {
    const findings = readinessFindings({
      ready: false,
      down: ['event stream: no answer within 1000 ms'],
      checks: [
        { name: 'nats', ok: true, detail: 'round trip 0.3 ms' },
        { name: 'event stream', ok: false, detail: 'no answer within 1000 ms' },
      ],
      services: {},
    });
    expect(findings).toEqual([
      { check: 'nats', ok: true, detail: 'round trip 0.3 ms' },
      { check: 'event stream', ok: false, detail: 'no answer within 1000 ms', fix: expect.stringContaining('start the orchestrator') },
    ]);
  });

  it("flags a service whose clock is more than a second from the gateway's", () => {
    const findings = readinessFindings({
      ready: true,
      down: [],
      checks: [],
      services: {
        orchestrator: { ready: true, clockSkewMs: 12 },
        projector: { ready: true, clockSkewMs: -(CLOCK_SKEW_LIMIT_MS + 500) },
        gateway: { ready: true },
      },
    });
    expect(findings).toEqual([
      { check: 'clock of orchestrator', ok: true, detail: "+12 ms from the gateway's" },
      { check: 'clock of projector', ok: false, detail: "-1500 ms from the gateway's", fix: expect.stringContaining('NTP') },
    ]);
  });

  it('has a fix for every kind of dependency', () => {
    expect(fixFor('nats')).toContain('NATS_URL');
    expect(fixFor('provider anthropic')).toContain('anthropic');
    expect(fixFor('webhooks')).toContain('start the webhooks');
  });
});
