/**
 * Debian's Chromium, headless, driven by playwright-core (`.ci/run` installs it with apt-get when
 * it is missing; no tool downloads a browser of its own). The UI's e2e tests and bench/ui.ts use it.
 */
import { chromium, type Browser } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
