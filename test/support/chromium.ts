// Debian's chromium for every browser test in the repository (README: `apt-get install -y chromium`; browser
// downloads do not work here), launched headless with the flags this kind of machine needs. One place for its path,
// its flags and the message a test skips with when it is not installed.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** false when chromium is installed; otherwise why `what` is skipped (for node:test's `skip` or `t.skip`). */
export function chromiumMissing(what: string): false | string {
  return existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed: ${what} skipped (apt-get install -y chromium)`;
}

/** Chromium, headless, with the machine's flags and `extraArgs` (e.g. --host-resolver-rules). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...extraArgs] });
}
