#!/usr/bin/env node
// Bundles each service into services/<name>/dist/main.js with esbuild: workspace packages
// and libraries are compiled in, so a service runs with plain `node` and no TypeScript at run
// time. The dashboard is built with Vite into services/gateway/dist/dashboard. Type-checking is `pnpm typecheck` (tsc), not this.
import { build } from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { keepOwnSources } from './own-source-map.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = ['gateway', 'orchestrator', 'llm-runner', 'projector', 'webhooks'];
// Packages that read their own files at run time, so they stay in node_modules.
// The model SDKs are large and need no bundling: kept out, the bundle and its source map stay small.
// KurrentDB's client holds a native module: it cannot be bundled, and is loaded only when chosen.
const KEEP_EXTERNAL = [
  '@fastify/swagger-ui',
  '@fastify/swagger',
  'pino',
  'thread-stream',
  'pino-pretty',
  'openai',
  '@anthropic-ai/sdk',
  '@kurrent/kurrentdb-client',
];

/** Optional peer dependencies that Nest and others load only when present: left external. */
const optionalAsExternal = {
  name: 'optional-as-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.probing) return undefined;
      if (KEEP_EXTERNAL.some((p) => args.path === p || args.path.startsWith(`${p}/`))) return { path: args.path, external: true };
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { probing: true },
      });
      return resolved.errors.length > 0 ? { path: args.path, external: true } : undefined;
    });
  },
};

const banner = ["import { createRequire as __topdogCreateRequire } from 'node:module';", 'const require = __topdogCreateRequire(import.meta.url);'].join('\n');

/** What every bundle here is: one ES module for Node 20, from the workspace's TypeScript. */
const forNode = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  tsconfig: join(root, 'tsconfig.base.json'),
  // Never in a bundle (see KEEP_EXTERNAL); the command line never loads it.
  external: ['@kurrent/kurrentdb-client'],
};

/** The `topdog` command line: one executable file, everything bundled in. */
const cli = {
  ...forNode,
  entryPoints: [join(root, 'packages', 'cli', 'src', 'main.ts')],
  outfile: join(root, 'packages', 'cli', 'dist', 'topdog.mjs'),
  banner: { js: `#!/usr/bin/env node\n${banner}` },
};

/** The bus users and permissions (packages/runtime), for start.mjs's own nats-server. */
const busAuth = {
  ...forNode,
  entryPoints: [join(root, 'packages', 'runtime', 'src', 'nats-server-auth.ts')],
  outfile: join(root, 'packages', 'runtime', 'dist', 'nats-server-auth.mjs'),
};

/**
 * The dashboard (packages/web), built by Vite into the gateway's dist/dashboard, which the
 * gateway serves at `/` (and the gateway's image copies with its bundle).
 */
async function buildDashboard() {
  const web = join(root, 'packages', 'web');
  // React's production build: Vite's JS API leaves NODE_ENV as it finds it (unset, React's dev build).
  process.env.NODE_ENV = 'production';
  const { build: viteBuild } = await import(pathToFileURL(createRequire(join(web, 'package.json')).resolve('vite')).href);
  await viteBuild({
    mode: 'production',
    root: web,
    configFile: join(web, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: join(root, 'services', 'gateway', 'dist', 'dashboard'), emptyOutDir: true },
  });
}

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const started = Date.now();
const services = only ? SERVICES.filter((s) => s === only) : SERVICES;
await Promise.all([
  ...services
    .filter((s) => existsSync(join(root, 'services', s, 'src', 'main.ts')))
    .map((service) =>
      build({
        ...forNode,
        entryPoints: [join(root, 'services', service, 'src', 'main.ts')],
        outfile: join(root, 'services', service, 'dist', 'main.js'),
        // The map covers our own sources only (own-source-map.mjs), without their text: it is what
        // Node holds for --enable-source-maps.
        sourcemap: true,
        sourcesContent: false,
        // Whitespace, comments and syntax are minified: a smaller bundle is a smaller string
        // held in every process. Identifiers are not, so names stay as written, but for the
        // few esbuild renames apart when two bundled modules declare the same one (`Reply2`).
        // keepNames would restore those by wrapping every named function as it is created, a
        // defineProperty each time: 5.1% of the gateway's CPU under load (profile, inclusive), in
        // Fastify's and nats.js's per-request closures. Nest injects by class, not by name; errors
        // are logged by the name they set (runtime's logger), not by their class's.
        minifyWhitespace: true,
        minifySyntax: true,
        legalComments: 'none',
        loader: { '.md': 'text' },
        banner: { js: banner },
        plugins: [optionalAsExternal],
      }).then(() => keepOwnSources(join(root, 'services', service, 'dist', 'main.js.map'))),
    ),
  ...(!only || only === 'cli' ? [build(cli).then(() => chmodSync(cli.outfile, 0o755))] : []),
  ...(!only ? [build(busAuth)] : []),
  ...(!only || only === 'gateway' || only === 'web' ? [buildDashboard()] : []),
]);
if (!only) console.log(`built ${SERVICES.length} services, the dashboard and the cli in ${Date.now() - started} ms`);
