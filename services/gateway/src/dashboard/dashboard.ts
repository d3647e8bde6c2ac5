import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '@topdog/runtime';
import { TopDogError } from '@topdog/contracts';
import { sendError } from '../http/error.filter';
import { DASHBOARD_ASSETS_PREFIX, DASHBOARD_PAGE_ROUTES } from './dashboard-routes';

/**
 * Serves the dashboard (built by `pnpm build` into the gateway's dist/dashboard) at `/`. The page
 * is read from disk for each load and revalidated by the browser every time, so a new build is
 * picked up at once; the assets, named by their content's hash, are cached for a year. Without a
 * built dashboard (`dir` lacking index.html, or no `dir`: DASHBOARD_DIR=off), its routes answer
 * 404 in the API's error shape, saying why (DASHBOARD_DIR=off turns it off).
 */
export async function installDashboard(fastify: FastifyInstance, dir: string | undefined, logger: Logger): Promise<void> {
  const missing = !dir
    ? 'the dashboard is turned off on this gateway (DASHBOARD_DIR=off)'
    : !existsSync(join(dir, 'index.html'))
      ? `there is no dashboard build in ${dir} (DASHBOARD_DIR; pnpm build builds one beside the gateway's bundle)`
      : undefined;
  if (!dir || missing) {
    if (dir) logger.warn({ dir }, `${missing}: / answers 404`);
    const notServed = new TopDogError('NOT_FOUND', `${missing}; the API is at /api and documented at /docs`).toBody();
    for (const route of DASHBOARD_PAGE_ROUTES) fastify.get(route, (_request, reply) => sendError(reply, notServed));
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
  const servePage = async (_request: unknown, reply: FastifyReply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await readFile(join(dir, 'index.html')));
  fastify.get('/', servePage);
  fastify.get('/index.html', servePage);
  const icon = existsSync(join(dir, 'favicon.svg')) ? await readFile(join(dir, 'favicon.svg')) : undefined;
  fastify.get('/favicon.svg', (_request, reply) =>
    icon
      ? reply.header('content-type', 'image/svg+xml').header('cache-control', 'public, max-age=86400').send(icon)
      : sendError(reply, new TopDogError('NOT_FOUND', 'this dashboard build has no icon').toBody()),
  );
}
