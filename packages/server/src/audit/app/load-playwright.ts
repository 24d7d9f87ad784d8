// playwright-core is an optional peer dependency of @latchkey/server: only `latchkey audit app` needs it (to drive a
// chromium), so it is imported here, on use, and its absence is one line that names the package to install.
import type { BrowserType } from 'playwright-core';

const PLAYWRIGHT_MISSING = 'audit app needs the "playwright-core" package, an optional peer dependency of @latchkey/server: npm install playwright-core';

export async function loadChromiumDriver(): Promise<BrowserType> {
  try {
    return (await import('playwright-core')).chromium;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') || !(error as Error).message.includes("'playwright-core'")) throw error;
    throw new Error(PLAYWRIGHT_MISSING, { cause: error });
  }
}
