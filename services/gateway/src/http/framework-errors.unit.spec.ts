import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { HTTP_STATUS } from './error-status';
import { errorBodyOfStatus } from './error.filter';
import { clientErrorBody, frameworkErrors, routerErrorBody } from './framework-errors';
import { malformedEscape, RouteParams } from './route-params';

const params = new RouteParams();
for (const url of [
  '/api/ai-workflows/initialize',
  '/api/ai-workflows/status/:workflow_id',
  '/api/ai-workflows/:workflow_id/audit',
  '/api/ai-workflows/get-ai-prompt/:workflow_id',
])
  params.add(url);
const long = 'a'.repeat(101);
const tooLong = (s: string) => s.length > 100;

describe('RouteParams', () => {
  it('names the parameter a route puts where the bad segment is', () => {
    expect(params.find(`/api/ai-workflows/status/${long}`, tooLong)).toBe('workflow_id');
    expect(params.find(`/api/ai-workflows/${long}/audit?x=1`, tooLong)).toBe('workflow_id');
    expect(params.find('/api/ai-workflows/get-ai-prompt/%zz', malformedEscape)).toBe('workflow_id');
  });

  it('names nothing where no route has a parameter, or the static segments differ', () => {
    expect(params.find(`/api/other/status/${long}`, tooLong)).toBeUndefined();
    expect(params.find(`/${long}`, tooLong)).toBeUndefined();
  });
});

describe('the router’s and the HTTP parser’s errors in our shape', () => {
  it('an over-long path parameter is 414 URI_TOO_LONG naming it', () => {
    const body = routerErrorBody({ code: 'FST_ERR_MAX_PARAM_LENGTH', message: '' }, `/api/ai-workflows/status/${long}`, params);
    expect(body).toMatchObject({ code: 'URI_TOO_LONG', details: [{ field: 'workflow_id', reason: 'longer than 100 characters' }] });
    expect(HTTP_STATUS[body.code]).toBe(414);
    expect(routerErrorBody({ code: 'FST_ERR_MAX_PARAM_LENGTH', message: '' }, `/x/${long}`, params).details[0]!.field).toBe('(path)');
  });

  it('a malformed %-escape is 400 naming the parameter; an unreadable route constraint is 400', () => {
    expect(routerErrorBody({ code: 'FST_ERR_BAD_URL', message: '' }, '/api/ai-workflows/status/%zz', params)).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'workflow_id' }],
    });
    expect(routerErrorBody({ code: 'FST_ERR_ASYNC_CONSTRAINT', message: 'no' }, '/', params).code).toBe('VALIDATION_FAILED');
  });

  it('headers over the limit are 431; anything else the parser rejects is a 4xx', () => {
    expect(clientErrorBody(Object.assign(new Error('overflow'), { code: 'HPE_HEADER_OVERFLOW' })).code).toBe('HEADERS_TOO_LARGE');
    expect(HTTP_STATUS.HEADERS_TOO_LARGE).toBe(431);
    const method = clientErrorBody(Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD', reason: 'Invalid method encountered' }));
    expect(method).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: '(request)', reason: 'malformed HTTP request: Invalid method encountered' }],
    });
    expect(HTTP_STATUS[clientErrorBody(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' })).code]).toBe(408);
  });

  it('every 4xx status the framework may choose keeps a 4xx code: never a 5xx for bad input', () => {
    for (let status = 400; status < 500; status++) {
      const answered = HTTP_STATUS[errorBodyOfStatus(status, 'why').code];
      expect(answered, String(status)).toBeGreaterThanOrEqual(400);
      expect(answered, String(status)).toBeLessThan(500);
    }
    expect(errorBodyOfStatus(414, 'why').code).toBe('URI_TOO_LONG');
    expect(errorBodyOfStatus(431, 'why').code).toBe('HEADERS_TOO_LARGE');
  });
});

describe('frameworkErrors on a Fastify instance', () => {
  async function app() {
    const errors = frameworkErrors();
    const fastify = Fastify(errors.options);
    errors.install(fastify);
    fastify.get('/api/things/:thing_id', () => ({ ok: true }));
    fastify.get('/plugin', (_request, reply) => reply.code(403).send({ statusCode: 403, message: 'a plugin says no' }));
    fastify.get('/ready', (_request, reply) => reply.code(503).send({ ready: false }));
    await fastify.ready();
    return fastify;
  }

  it('answers the router’s own rejections in our shape, naming the parameter', async () => {
    const fastify = await app();
    const long = await fastify.inject({ method: 'GET', url: `/api/things/${'a'.repeat(101)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({
      error: { code: 'URI_TOO_LONG', message: expect.any(String), details: [{ field: 'thing_id', reason: 'longer than 100 characters' }] },
    });
    const bad = await fastify.inject({ method: 'GET', url: '/api/things/%zz' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'thing_id' }] } });
    await fastify.close();
  });

  it('rewrites any other 4xx into our shape, and leaves 5xx (the readiness report) and 2xx alone', async () => {
    const fastify = await app();
    const plugin = await fastify.inject({ method: 'GET', url: '/plugin' });
    expect(plugin.statusCode).toBe(400);
    expect(plugin.json()).toEqual({
      error: { code: 'VALIDATION_FAILED', message: 'invalid request', details: [{ field: '(request)', reason: 'a plugin says no' }] },
    });
    const ready = await fastify.inject({ method: 'GET', url: '/ready' });
    expect([ready.statusCode, ready.json()]).toEqual([503, { ready: false }]);
    expect((await fastify.inject({ method: 'GET', url: '/api/things/1' })).json()).toEqual({ ok: true });
    await fastify.close();
  });
});
