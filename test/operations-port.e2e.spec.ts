import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, initializeBody } from './support/http';
import { startSystem, type Service, type System } from './support/system';

const SERVICES_WITH_PORT: Service[] = ['orchestrator', 'projector', 'llm-runner', 'webhooks'];

/** Each instance's own health, on its METRICS_PORT: what a container health check or a probe asks. */
describe('operations port (METRICS_PORT)', () => {
  let system: System;

  /** The operations URL a service logged when it said it was ready (METRICS_PORT=0 takes a free port). */
  async function opsUrl(service: Service): Promise<string> {
    const ready = (await system.logs(service)).split('\n').filter((line) => line.includes(`"msg":"${service} ready"`));
    const url = (JSON.parse(ready.at(-1)!) as { opsUrl?: string }).opsUrl;
    if (!url) throw new Error(`${service} logged no opsUrl`);
    return url;
  }

  beforeAll(async () => {
    system = await startSystem({ METRICS_PORT: '0' });
  });
  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
  });

  it("answers each instance's liveness and readiness, with its own identity, on loopback", async () => {
    await http(system.baseUrl, 'POST', '/api/ai-workflows/initialize', initializeBody());
    for (const service of SERVICES_WITH_PORT) {
      const url = await opsUrl(service);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const live = await fetch(`${url}/healthz`);
      expect(live.status, service).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status, service).toBe(200);
      expect(ready.headers.get('cache-control')).toBe('no-store');
      expect(await ready.json()).toMatchObject({ service, ready: true, instanceId: expect.stringContaining(service) });
    }
  });

  it('answers anything else with a 404 in the error shape', async () => {
    const url = await opsUrl('orchestrator');
    const unknown = await fetch(`${url}/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringContaining('/healthz'), details: [] } });
    const posted = await fetch(`${url}/readyz`, { method: 'POST' });
    expect(posted.status).toBe(404);
  });

  it('stops answering once the instance is told to stop, and answers again from the next one', async () => {
    const url = await opsUrl('llm-runner');
    await system.kill('llm-runner', 'SIGTERM');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await system.start('llm-runner');
    const again = await opsUrl('llm-runner');
    expect((await fetch(`${again}/readyz`)).status).toBe(200);
  });
});
