import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '@topdog/runtime';
import { TopDogError } from '@topdog/contracts';
import { sendError } from '../http/error.filter';

/** The dashboard's routes: the page, its icon and its hashed assets. All public: the page signs in itself. */
export const DASHBOARD_PAGE_ROUTES: ReadonlySet<string> = new Set(['/', '/index.html', '/favicon.svg']);
export const DASHBOARD_ASSETS_PREFIX = '/assets/';

export const isDashboardRoute = (route: string | undefined): boolean =>
  route !== undefined && (DASHBOARD_PAGE_ROUTES.has(route) || route.startsWith(DASHBOARD_ASSETS_PREFIX));

/**
 * Serves the dashboard (built by `pnpm build` into the gateway's dist/dashboard) at `/`. The
 * page is revalidated on each load; the assets, named by their content's hash, are cached for a
 * year. A gateway without a built dashboard answers its routes 404 in the API's error shape.
 */
export async function installDashboard(fastify: FastifyInstance, dir: string, logger: Logger): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    logger.warn({ dir }, 'the dashboard is not built here (pnpm build builds it): / answers 404');
    const notBuilt = new TopDogError(
      'NOT_FOUND',
      'the dashboard is not built on this gateway (pnpm build builds it); the API is at /api and documented at /docs',
    );
    for (const route of DASHBOARD_PAGE_ROUTES) fastify.get(route, (_request, reply) => void sendError(reply, notBuilt.toBody()));
    return;
  }
  await fastify.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: DASHBOARD_ASSETS_PREFIX,
    decorateReply: false,
    index: false,
    immutable: true,
    maxAge: '365d',
  });
  // The page and its icon, small and read once; the page is revalidated on every load, so a new
  // build's assets are picked up at once.
  const page = await readFile(join(dir, 'index.html'));
  const icon = existsSync(join(dir, 'favicon.svg')) ? await readFile(join(dir, 'favicon.svg')) : undefined;
  const servePage = (_request: unknown, reply: FastifyReply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  fastify.get('/', servePage);
  fastify.get('/index.html', servePage);
  if (icon)
    fastify.get('/favicon.svg', (_request, reply) => reply.header('content-type', 'image/svg+xml').header('cache-control', 'public, max-age=86400').send(icon));
}
