import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// patches/@nestjs__common@12.5.1.patch: Nest's loggers make their Intl.DateTimeFormat when they
// first print a timestamp, not when @nestjs/common is loaded. Building one loads ICU's locale
// data, some 5 MB of every service's resident memory; our services log through pino and never
// print one. Run in a process of its own, which has not loaded Nest yet.
const here = fileURLToPath(new URL('.', import.meta.url));

/** Loads @nestjs/common in a fresh Node process that counts the date formatters made; returns `after`'s value there. */
function inFreshProcess(after: string): unknown {
  const script = [
    'let made = 0;',
    'const Original = Intl.DateTimeFormat;',
    'Intl.DateTimeFormat = function (...args) { made++; return new Original(...args); };',
    "const { ConsoleLogger } = await import('@nestjs/common');",
    `console.log(JSON.stringify(${after}));`,
  ].join('\n');
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: here, encoding: 'utf8' })) as unknown;
}

describe('the patched @nestjs/common', () => {
  it('makes no date formatter when it is loaded', () => {
    expect(inFreshProcess('made')).toBe(0);
  });

  it('still prints the timestamp of a Nest log line, making the formatter then', () => {
    const [made, timestamp] = inFreshProcess('[(new ConsoleLogger().getTimestamp(), made), new ConsoleLogger().getTimestamp()]') as [number, string];
    expect(made).toBe(1);
    expect(timestamp).toMatch(/\d/);
  });
});
