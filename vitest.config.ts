import { defineConfig, type Plugin } from 'vitest/config';

/** Prompt files are imported as text, as esbuild's text loader does for the service bundles. */
const markdownAsText: Plugin = {
  name: 'markdown-as-text',
  transform(code, id) {
    return id.endsWith('.md') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};

export default defineConfig({
  plugins: [markdownAsText],
  esbuild: { target: 'es2022' },
  test: {
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/*/src/**/*.unit.spec.ts', 'services/*/src/**/*.unit.spec.ts', 'scripts/**/*.unit.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['packages/*/src/**/*.int.spec.ts', 'services/*/src/**/*.int.spec.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
