import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium CHROMIUM_BIN names (scripts/run.sh sets it to the one it found or installed), or Debian's. */
export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_BIN) return existsSync(process.env.CHROMIUM_BIN) ? process.env.CHROMIUM_BIN : undefined;
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
}

/**
 * A real headless Chromium driven by playwright-core (in a fresh profile of its own). The flags keep it from
 * calling Google's services in the background (this machine's network is closed, and a test
 * sends traffic only to loopback addresses).
 */
export async function launchChromium(executablePath: string): Promise<Browser & AsyncDisposable> {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-features=Translate,OptimizationHints,MediaRouter',
    ],
  });
  return Object.assign(browser, {
    async [Symbol.asyncDispose]() {
      await browser.close();
    },
  });
}
