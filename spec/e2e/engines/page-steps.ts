import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EnginePage, PageFunction } from './engine.js';

/**
 * Waits until `fn(arg)`, run in the page, returns something truthy (polled every 50 ms, as
 * playwright's waitForFunction polls). On timeout the error says what was awaited.
 */
export async function waitInPage<A>(page: EnginePage, what: string, fn: PageFunction<A, unknown>, arg: A, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(fn, arg)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The trimmed text of the first element matching `selector` ('' when there is none). */
export function textOf(page: Pick<EnginePage, 'evaluate'>, selector: string): Promise<string> {
  return page.evaluate((s) => document.querySelector(s)?.textContent?.trim() ?? '', selector);
}

/**
 * Runs a test body, always saving a screenshot at its end under `dir`; on failure the error names
 * every screenshot taken, so a person can look at what the page showed.
 */
export async function withShots(page: EnginePage, dir: string, name: string, body: (shot: (step: string) => Promise<void>) => Promise<void>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const taken: string[] = [];
  const shot = async (step: string): Promise<void> => {
    const path = join(dir, `${name}-${step}.png`);
    await page.screenshot(path);
    taken.push(path);
  };
  try {
    await body(shot);
    await shot('end');
  } catch (error) {
    await shot('failed').catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\nscreenshots: ${taken.join(', ')}`, { cause: error });
  }
}
