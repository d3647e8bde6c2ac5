import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { installSecurityHeaders } from '../http/security-headers';
import { installDashboard } from './dashboard';

const quiet = pino({ level: 'silent' });

describe('the dashboard files', () => {
  let app: FastifyInstance | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the page revalidated on each load, and its hashed assets cached for a year', async () => {
    // The dashboard in site/, and a file beside it that no URL may reach.
    dir = await mkdtemp(join(tmpdir(), 'topdog-dashboard-'));
    await writeFile(join(dir, 'secret.txt'), 'SECRET');
    const site = join(dir, 'site');
    await mkdir(join(site, 'assets'), { recursive: true });
    await writeFile(join(site, 'index.html'), '<!doctype html><title>TopDog</title>');
    await writeFile(join(site, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(site, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = Fastify();
    await installDashboard(app, site, quiet);

    for (const path of ['/', '/index.html']) {
      const page = await app.inject({ method: 'GET', url: path });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.body).toContain('<title>TopDog</title>');
    }
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ method: 'GET', url: '/favicon.svg' })).headers['content-type']).toBe('image/svg+xml');
    // No spelling of a path reaches outside the dashboard's folder.
    for (const url of ['/assets/%2e%2e/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/%2e%2e/secret.txt']) {
      const answer = await app.inject({ method: 'GET', url });
      expect(answer.statusCode, url).toBe(404);
      expect(answer.body, url).not.toContain('SECRET');
    }
  });

  it('answers the page 404 in the API error shape where no dashboard was built, or it is turned off', async () => {
    dir = await mkdtemp(join(tmpdir(), 'topdog-dashboard-'));
    app = Fastify();
    await installDashboard(app, dir, quiet);
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(404);
    expect(page.json()).toMatchObject({ error: { code: 'NOT_FOUND', message: expect.stringContaining(`no dashboard build in ${dir}`) } });
    await app.close();

    app = Fastify();
    await installDashboard(app, undefined, quiet);
    const off = await app.inject({ method: 'GET', url: '/index.html' });
    expect([off.statusCode, off.json().error.message]).toEqual([404, expect.stringContaining('DASHBOARD_DIR=off')]);
  });

  it('gives the dashboard its own CSP and cache rules, and the API its own', async () => {
    dir = await mkdtemp(join(tmpdir(), 'topdog-dashboard-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html>');
    await writeFile(join(dir, 'assets', 'a-1.js'), '');
    app = Fastify();
    installSecurityHeaders(app);
    await installDashboard(app, dir, quiet);
    app.get('/api/thing', async () => ({ ok: true }));
    const page = await app.inject({ method: 'GET', url: '/' });
    const asset = await app.inject({ method: 'GET', url: '/assets/a-1.js' });
    const api = await app.inject({ method: 'GET', url: '/api/thing' });
    for (const answer of [page, asset]) {
      expect(answer.headers['content-security-policy']).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
    expect([page.headers['cache-control'], asset.headers['cache-control']]).toEqual(['no-cache', 'public, max-age=31536000, immutable']);
    expect(api.headers['content-security-policy']).toMatch(/^default-src 'none'/);
    expect(api.headers['cache-control']).toBe('no-store');
  });
});
