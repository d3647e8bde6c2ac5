import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_ARGS, SERVICE_PROCESS_ENV } from './service-process.mjs';

/** The image cannot import service-process.mjs: it repeats its values, and this keeps them in step. */
describe("the image's service process", () => {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');

  it('sets the same environment', () => {
    const env = dockerfile
      .split('\n')
      .filter((line) => line.startsWith('ENV '))
      .join(' ');
    for (const [name, value] of Object.entries(SERVICE_PROCESS_ENV)) expect(env).toContain(`${name}=${value}`);
  });

  it('starts node with the same flags', () => {
    const cmd = dockerfile.split('\n').find((line) => line.startsWith('CMD '));
    expect(JSON.parse(cmd!.slice('CMD '.length))).toEqual(['node', ...SERVICE_NODE_ARGS, 'dist/main.js']);
  });
});
