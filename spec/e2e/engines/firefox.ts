import { existsSync } from 'node:fs';
import type { Engine, EnginePage, PageFunction } from './engine.js';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Firefox (Gecko): Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi (Playwright
 * drives only its own patched Firefox builds). puppeteer-core never downloads a browser.
 */
export const firefox: Engine = {
  name: 'firefox',
  missing: () => (existsSync(FIREFOX) ? undefined : `Firefox not found at ${FIREFOX}: install the Debian package 'firefox-esr' (npm test does it as root) or set FIREFOX_PATH`),
  async launch() {
    // Loaded here: the other engines' specs do not need it.
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      timeout: 30_000,
      // No update checks, telemetry or first-run pages: less noise on a 2-core machine.
      extraPrefsFirefox: { 'app.update.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false, 'browser.shell.checkDefaultBrowser': false },
    });
    return {
      async newPage(): Promise<EnginePage> {
        const page = await browser.newPage();
        await page.setViewport({ width: 1024, height: 900 });
        page.setDefaultTimeout(10_000);
        return {
          goto: async (url) => {
            await page.goto(url);
          },
          // The page function's argument is plain JSON: puppeteer's handle flattening does not apply.
          evaluate: <A, R>(fn: PageFunction<A, R>, arg: A) => page.evaluate(fn as never, arg),
          click: (selector) => page.click(selector),
          fill: (selector, value) => page.locator(selector).fill(value),
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
