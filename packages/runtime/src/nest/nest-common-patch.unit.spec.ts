import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// patches/@nestjs__common@12.5.1.patch: Nest's two loggers (ConsoleLogger and the static Logger)
// make their Intl.DateTimeFormat when they first need a timestamp, not when @nestjs/common is
// loaded. Building one pages in ICU's locale data, some 5 MB of every service's resident memory;
// our services log through pino and never need one. Checked in a Node process of its own, which
// has not loaded Nest yet.
const here = fileURLToPath(new URL('.', import.meta.url));

/** How many date formatters a fresh process had made at each step, and the loggers' timestamps. */
interface FormattersMade {
  atLoad: number;
  afterConsoleLogger: number;
  afterLogger: number;
  timestamps: string[];
}

/**
 * Loads @nestjs/common in a fresh Node process that counts the date formatters made, then asks
 * each logger for a timestamp.
 */
function formattersMade(): FormattersMade {
  const script = `
    let made = 0;
    const Original = Intl.DateTimeFormat;
    Intl.DateTimeFormat = function (...args) { made++; return new Original(...args); };
    const { ConsoleLogger, Logger } = await import('@nestjs/common');
    const atLoad = made;
    const first = new ConsoleLogger().getTimestamp();
    const afterConsoleLogger = made;
    const second = Logger.getTimestamp();
    const afterLogger = made;
    console.log(JSON.stringify({ atLoad, afterConsoleLogger, afterLogger, timestamps: [first, second] }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: here, encoding: 'utf8' })) as FormattersMade;
}

describe('the patched @nestjs/common', () => {
  it('makes no date formatter when loaded, and each logger its own when it first needs a timestamp', () => {
    const made = formattersMade();
    expect(made.atLoad).toBe(0);
    expect(made.afterConsoleLogger).toBe(1);
    expect(made.afterLogger).toBe(2);
    for (const timestamp of made.timestamps) expect(timestamp).toMatch(/\d{4}/);
  }, 20_000);
});
