import { existsSync } from 'node:fs';
import { type Browser, chromium as playwright, type Page } from 'playwright-core';
import type { Engine, EnginePage, PageFunction } from './engine.js';

/** Debian's Chromium, or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why Chromium cannot start here, or undefined when it is installed. */
function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `Chromium not found at ${CHROMIUM}: install the Debian package 'chromium' (npm test does it as root) or set CHROMIUM_PATH`;
}

/**
 * The one way the e2e specs start Chromium: headless, and without the background networking
 * that this machine's closed network refuses (it would fail many connections at every start).
 * Throws when Chromium is missing: not a skip, a CI image without a browser must be noticed.
 */
export async function launchChromium(): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing !== undefined) throw new Error(missing);
  return playwright.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    timeout: 15_000,
  });
}

/** A page of `browser` in a context of its own (a fresh profile), and the page's uncaught errors as they come. */
export async function pageWithErrors(browser: Browser, viewport: { readonly width: number; readonly height: number }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/** Chromium (Blink), driven by playwright-core over CDP. */
export const chromium: Engine = {
  name: 'chromium',
  missing: chromiumMissing,
  async launch() {
    const browser = await launchChromium();
    return {
      async newPage(): Promise<EnginePage> {
        const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
        page.setDefaultTimeout(10_000);
        return {
          goto: async (url) => {
            await page.goto(url);
          },
          // The page function's argument is plain JSON: playwright's handle unboxing does not apply.
          evaluate: <A, R>(fn: PageFunction<A, R>, arg: A) => page.evaluate<R, A>(fn as never, arg),
          click: (selector) => page.click(selector),
          fill: (selector, value) => page.fill(selector, value),
          screenshot: async (path) => {
            await page.screenshot({ path, fullPage: true });
          },
          close: () => page.close(),
        };
      },
      close: () => browser.close(),
    };
  },
};
