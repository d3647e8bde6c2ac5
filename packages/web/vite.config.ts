import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard: one page the gateway serves at `/`. Everything it loads is bundled into dist/
 * (no font, script or style from another host), and the gateway's CSP allows nothing else.
 * `pnpm --filter @topdog/web dev` serves it with the API proxied to the gateway at TOPDOG_URL
 * (default http://127.0.0.1:3000, as the CLI's).
 */
const gateway = process.env.TOPDOG_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Vite's inline module-preload polyfill would need 'unsafe-inline'; every browser we serve has module preload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    // One page for people at work, cached for a year by its hash: some 230 KB gzipped, most of it
    // React, Chart.js and the contracts' schemas the client validates answers with.
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: Object.fromEntries(['/api', '/docs', '/healthz', '/readyz'].map((path) => [path, gateway])),
  },
});
