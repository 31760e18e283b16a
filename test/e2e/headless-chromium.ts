import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless, as the e2e tests run it: no sandbox (root), and none of its
 * background connections, which this machine's closed network would refuse many at a time.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
