/**
 * The web demo's "Reconnecting…" state in Chromium: the emulator fails `savezipprogress` (HTTP
 * 503), and the page says so while `saveZip$` retries (the reason, the attempt of the maximum and
 * a countdown), holds the bar dimmed at its last value, then shows the bar again and saves the zip;
 * with more failures than the retries, it shows the final error with its hint.
 *
 * Screenshots go to .tmp/screenshots/ (gitignored): web-reconnecting.png and web-failed.png, at
 * 900x600 (examples/browser/reconnecting.png, linked from the README, is a copy made by hand).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, type Page } from 'playwright-core';
import { startWebDemo, type WebDemo } from '../../examples/browser/server.js';
import { sleep } from '../support/wait.js';
import { launchChromium, pageWithErrors } from './engines/chromium.js';
import { textOf } from './engines/page-steps.js';

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, '.tmp', 'screenshots');
// 40 files zipped in about 20 s: a 3 s retry wait from a fifth of the way ends well before.
const FILES = 40;
const SECONDS = 20;

let browser: Browser | undefined;
let demo: WebDemo | undefined;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [demo, browser] = await Promise.all([startWebDemo({ dir: join(ROOT, 'examples', 'browser'), files: FILES, seconds: SECONDS }), launchChromium()]);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await esbuild.stop();
}, 10_000);

beforeEach(async () => {
  if (browser === undefined || demo === undefined) throw new Error('beforeAll failed');
  ({ page, errors: pageErrors } = await pageWithErrors(browser, { width: 900, height: 600 }));
  page.setDefaultTimeout(10_000);
  await page.goto(demo.url);
  await page.waitForSelector('body[data-state="idle"]', { timeout: 5_000 });
  // In the page: every text the wait line showed, every text of it a screen reader gets (without
  // its aria-hidden parts), and when it last changed at all (a countdown left running would write
  // into it after the wait).
  await page.evaluate(() => {
    const log = { texts: [] as string[], heard: [] as string[], changedAt: 0 };
    (window as unknown as { waitLog: typeof log }).waitLog = log;
    const wait = document.getElementById('wait')!;
    new MutationObserver(() => {
      log.changedAt = performance.now();
      if (wait.hidden) return;
      if (wait.textContent !== log.texts.at(-1)) log.texts.push(wait.textContent ?? '');
      const heard = wait.cloneNode(true) as HTMLElement;
      heard.querySelectorAll('[aria-hidden="true"]').forEach((part) => {
        part.remove();
      });
      if (heard.textContent !== log.heard.at(-1)) log.heard.push(heard.textContent ?? '');
    }).observe(wait, { childList: true, characterData: true, subtree: true, attributes: true });
  });
}, 15_000);

afterEach(async () => {
  demo?.fake.clearFaults();
  await page.close();
}, 10_000);

function running(): WebDemo {
  if (demo === undefined) throw new Error('no demo');
  return demo;
}

const text = (selector: string): Promise<string> => textOf(page, selector);
const waitLog = (): Promise<{ texts: string[]; heard: string[]; quietMs: number }> =>
  page.evaluate(() => {
    const log = (window as unknown as { waitLog: { texts: string[]; heard: string[]; changedAt: number } }).waitLog;
    return { texts: log.texts, heard: log.heard, quietMs: performance.now() - log.changedAt };
  });
/** The wait line as the accessibility tree has it (Playwright's snapshot skips aria-hidden parts). */
const heardNow = (): Promise<string> => page.locator('#wait').ariaSnapshot();
const barValue = (): Promise<number> => page.$eval('#bar', (bar) => (bar as HTMLProgressElement).value);
/** The viewport (900x600) scrolled to the progress card, with the form's buttons above it. */
async function shotOfCard(file: string): Promise<void> {
  await page.$eval('#progress-card', (card) => {
    card.scrollIntoView({ block: 'end' });
  });
  await page.screenshot({ path: join(SHOTS, file) });
}
const progressEvents = (): Promise<number> => page.$eval('#progress-card', (card) => Number((card as HTMLElement).dataset.progressEvents));

/** Runs a test body; on failure, saves the page under .tmp/screenshots/<name>-failed.png and names it. */
async function onFailureShot(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const path = join(SHOTS, `${name}-failed.png`);
    await page.screenshot({ path, fullPage: true }).catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\nscreenshot: ${path}`, { cause: error });
  }
}

it('a 503 with Retry-After: "Reconnecting…" with the reason, the attempt and a countdown, then the bar again and the saved zip', async () => {
  await onFailureShot('web-reconnecting', async () => {
    const { fake, config, user } = running();
    const host = new URL(config.apiUrl).host;
    await page.fill('#topath', '/reconnecting.zip');
    await page.click('#start');
    // A fifth done, so the held bar shows.
    await page.waitForFunction(() => (document.getElementById('bar') as HTMLProgressElement).value >= 0.2);
    expect(await page.isVisible('#wait')).toBe(false);

    fake.inject('savezipprogress', { type: 'http', status: 503, headers: { 'Retry-After': '3' } });
    await page.waitForSelector('#progress-card[data-wait="retrying"]', { timeout: 5_000 });
    const before = await progressEvents();
    const barBefore = await barValue();
    expect(await page.isVisible('#wait')).toBe(true);
    expect(await page.getAttribute('#wait', 'role')).toBe('status');
    expect(await page.getAttribute('#wait', 'aria-live')).toBe('polite');
    const first = await text('#wait');
    expect(first).toMatch(new RegExp(`^Reconnecting… HTTP 503 from ${host.replace(/\./g, '\\.')} — retrying in [23] s \\(attempt 1 of 5\\)$`));
    // The bar holds its last value, dimmed.
    expect(await page.$eval('#progress-body', (body) => body.classList.contains('waiting'))).toBe(true);
    expect(await page.$eval('#bar', (bar) => Number(getComputedStyle(bar).opacity))).toBeLessThan(1);
    // No time left is shown while reconnecting: the ETA of before the wait would be stale by it.
    expect(await text('#eta')).toBe('—');
    const secondsIn = (line: string): number => Number(/retrying in (\d) s/.exec(line)?.[1]);
    // A screen reader gets the reason and the attempt, not the countdown: it is aria-hidden.
    expect(await page.getAttribute('#wait .countdown', 'aria-hidden')).toBe('true');
    const heard = await heardNow();
    expect(heard).toBe(`- status: Reconnecting… HTTP 503 from ${host} (attempt 1 of 5)`);
    // The figures that change with every poll are in no live region (only the phase and this line are).
    const inLiveRegion = await page.$$eval('#percent, #files, #bytes, #rate, #eta', (figures) =>
      figures.filter((figure) => figure.closest('[aria-live], [role="status"], [role="alert"], [role="log"]') !== null).map((figure) => figure.id),
    );
    expect(inLiveRegion).toEqual([]);

    // A second later, the countdown is lower; the bar has not moved.
    await page.waitForFunction((shown) => document.getElementById('wait')?.textContent !== shown, first, { timeout: 1_500 });
    const later = await text('#wait');
    expect(secondsIn(later)).toBe(secondsIn(first) - 1);
    expect(await heardNow()).toBe(heard);
    expect(await barValue()).toBe(barBefore);
    expect(await progressEvents()).toBe(before);
    await shotOfCard('web-reconnecting.png');

    // The retry answers: the plain bar again, moving, while pCloud still zips.
    await page.waitForSelector('#progress-card:not([data-wait])', { timeout: 5_000 });
    expect(await page.getAttribute('body', 'data-state')).toBe('running');
    expect(await barValue()).toBeGreaterThan(barBefore);
    expect(await page.isVisible('#wait')).toBe(false);
    expect(await page.$eval('#progress-body', (body) => body.classList.contains('waiting'))).toBe(false);
    expect(await progressEvents()).toBeGreaterThan(before);
    // The answer that ended the wait brought a time left again.
    expect(await text('#eta')).toMatch(/^(under 1 s|\d+ s|\d+ min \d\d s)$/);

    await page.waitForSelector('body[data-state="saved"]', { timeout: 25_000 });
    expect(await text('#notice-title')).toBe('Saved /reconnecting.zip');
    expect(user.readFile('/reconnecting.zip')).toBeDefined();
    const log = await waitLog();
    // Counted down every second (3 s, 2 s, 1 s, then "retrying now" if the answer is slower than
    // the last tick), each text with the same reason and attempt.
    const seconds = log.texts.flatMap((t) => /retrying in (\d) s/.exec(t)?.[1] ?? []).map(Number);
    expect(seconds.length).toBeGreaterThanOrEqual(2);
    expect(seconds).toEqual([...new Set(seconds)].sort((a, b) => b - a));
    expect(log.texts.every((t) => t.startsWith(`Reconnecting… HTTP 503 from ${host} — `) && t.endsWith('(attempt 1 of 5)'))).toBe(true);
    // Without its aria-hidden countdown, the live region changed once for the whole wait.
    expect(log.heard).toEqual([`Reconnecting… HTTP 503 from ${host} (attempt 1 of 5)`]);
    // The line has not changed since the wait ended (the zip took seconds more): no countdown left.
    expect(log.quietMs).toBeGreaterThan(1_500);
    expect(log.texts.some((t) => t.includes(config.auth))).toBe(false);
    expect(pageErrors).toEqual([]);
  });
}, 50_000);

it('more failures than retries: each attempt of 5 counted down, then the final error with its hint', async () => {
  await onFailureShot('web-failed', async () => {
    const { fake, config } = running();
    // savezip never answers (its answer would end the run as saved); every poll gets a 503.
    fake.inject('savezip', { type: 'hang' });
    fake.inject('savezipprogress', { type: 'http', status: 503, body: `<html>busy ${config.auth}</html>` }, { times: Infinity });
    await page.fill('#topath', '/failed.zip');
    await page.click('#start');
    await page.waitForSelector('#progress-card[data-wait="retrying"]', { timeout: 5_000 });
    await page.waitForSelector('body[data-state="failed"]', { timeout: 30_000 });
    await shotOfCard('web-failed.png');
    // Longer than a countdown tick: a countdown left running would write into the line.
    await sleep(1_500);

    expect(await text('#notice-title')).toBe('HTTP error 503');
    expect(await text('#notice-hint')).toBe('The server or a proxy refused the request: check the API URL, or try again later.');
    expect(await page.getAttribute('#notice', 'role')).toBe('alert');
    expect(await text('#phase')).toBe('Failed');
    // The wait is over: no line, no dimmed bar, no countdown left running.
    expect(await page.isVisible('#wait')).toBe(false);
    expect(await page.getAttribute('#progress-card', 'data-wait')).toBeNull();
    expect(await page.$eval('#progress-body', (body) => body.classList.contains('waiting'))).toBe(false);
    const log = await waitLog();
    expect(log.quietMs).toBeGreaterThan(1_400);
    const attempts = [...new Set(log.texts.map((t) => /\(attempt (\d) of 5\)$/.exec(t)?.[1]))];
    expect(attempts).toEqual(['1', '2', '3', '4', '5']);
    // A screen reader's text of the line changed once per attempt, never with the countdown.
    const host = new URL(config.apiUrl).host;
    expect(log.heard).toEqual(attempts.map((n) => `Reconnecting… HTTP 503 from ${host} (attempt ${n} of 5)`));
    // Neither the token nor the server's text reaches the page.
    const shown = await page.evaluate(() => document.body.innerText);
    expect(shown).not.toContain(config.auth);
    expect(log.texts.some((t) => t.includes('busy') || t.includes(config.auth))).toBe(false);
    expect(pageErrors).toEqual([]);
  });
}, 45_000);

it('a cancel during a countdown ends it: the line hidden, nothing ticking on', async () => {
  await onFailureShot('web-cancelled-wait', async () => {
    const { fake } = running();
    fake.inject('savezipprogress', { type: 'http', status: 503, headers: { 'Retry-After': '30' } });
    await page.fill('#topath', '/cancelled-wait.zip');
    await page.click('#start');
    await page.waitForSelector('#progress-card[data-wait="retrying"]', { timeout: 5_000 });
    expect(await text('#wait')).toMatch(/— retrying in (30|29) s \(attempt 1 of 5\)$/);
    await page.click('#cancel');
    await page.waitForSelector('body[data-state="cancelled"]');
    expect(await page.isVisible('#wait')).toBe(false);
    expect(await page.getAttribute('#progress-card', 'data-wait')).toBeNull();
    // Longer than a countdown tick: a countdown left running would write into the line.
    await sleep(1_500);
    expect((await waitLog()).quietMs).toBeGreaterThan(1_400);
    expect(pageErrors).toEqual([]);
  });
}, 20_000);
