/**
 * The Angular example in Chromium while pCloud fails: the emulator that examples/angular/server
 * starts runs in this process, so the spec injects faults into its savezipprogress directly
 * (`demo.fake.inject`); the demo itself has no way to do that. The card shows "Reconnecting…"
 * with the reason, a countdown and the attempt, then the bar again; or, when the retries run
 * out, the error and its hint. Screenshots go to .tmp/screenshots/.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { launchChromium, pageWithErrors } from './engines/chromium.js';
import { buildAngularApp } from '../../examples/angular/server/build.js';
import { startAngularDemo, type AngularDemo } from '../../examples/angular/server/serve.js';
import { sleep, waitFor } from '../support/wait.js';

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, '.tmp', 'screenshots');
// 40 files zipped in about 20 s: the adaptive schedule polls every few seconds, so this leaves
// room for progress, a failed poll and its retry before the zip is done.
const FILES = 40;
const SECONDS = 20;

let appDir: string;
let browser: Browser | undefined;
let demo: AngularDemo;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  // First: a machine without Chromium fails here, before the build.
  browser = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
  // Its own output folder: angular.spec.ts may build at the same time.
  appDir = await buildAngularApp({ workspace: join(ROOT, 'examples/angular'), outputPath: join(ROOT, '.tmp/angular/e2e-reconnecting-dist') });
}, 240_000);

afterAll(async () => {
  await browser?.close();
}, 10_000);

beforeEach(async () => {
  if (browser === undefined) throw new Error('beforeAll failed');
  demo = await startAngularDemo({ appDir, files: FILES, seconds: SECONDS });
  ({ page, errors: pageErrors } = await pageWithErrors(browser, { width: 900, height: 600 }));
  // The injected 5xx answers are expected (Chromium logs each as a failed resource); nothing else.
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 50[23]/.test(message.text())) pageErrors.push(message.text());
  });
  page.on('response', (response) => {
    const injected = [502, 503].includes(response.status()) && new URL(response.url()).pathname === '/savezipprogress';
    if (response.status() >= 400 && !injected) pageErrors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(demo.url);
  await page.getByRole('heading', { name: 'Zip jobs' }).waitFor({ timeout: 10_000 });
}, 20_000);

afterEach(async () => {
  // Nothing on the page, in text or attributes, carries the token.
  const html = await page.content();
  await page.context().close();
  await demo.close();
  expect(html.includes(demo.user.auth)).toBe(false);
  expect(pageErrors).toEqual([]);
}, 10_000);

async function startZip(topath: string): Promise<Locator> {
  await page.getByLabel('Save as').fill(topath);
  await page.getByRole('button', { name: 'Start zip' }).click();
  return page.locator('.zip-job', { has: page.locator('.label', { hasText: topath }) });
}

const text = async (locator: Locator): Promise<string> => (await locator.textContent())?.trim() ?? '';

it('a failed poll: Reconnecting… with the reason, a countdown and the attempt, the bar kept; then the bar again and the saved zip', async () => {
  const card = await startZip('/zips/flaky.zip');
  await waitFor('some progress', async () => Number(await card.locator('progress').getAttribute('value')) > 0, 15_000, 50);
  expect(Number(await card.locator('progress').getAttribute('value'))).toBeLessThan(70);
  // The next poll answers 503 with Retry-After: 3 s; the retry after it is answered normally.
  demo.fake.inject('savezipprogress', { type: 'http', status: 503, headers: { 'Retry-After': '3' } });
  const status = card.getByRole('status');
  await card.and(page.locator('[data-wait="reconnecting"]')).waitFor({ timeout: 10_000 });
  const shown = await text(status);
  const host = new URL(demo.fake.url).host;
  expect(shown).toMatch(new RegExp(`^Reconnecting… HTTP 503 from ${host.replace(/\./g, '\\.')} — retrying in [23] s \\(attempt 1 of 5\\)$`));
  await expect(status.getAttribute('aria-live')).resolves.toBe('polite');
  // A screen reader gets the reason and the attempt; the countdown is aria-hidden (Playwright's
  // accessibility snapshot leaves it out), so the live region's text stays put while it ticks.
  await expect(status.locator('.countdown').getAttribute('aria-hidden')).resolves.toBe('true');
  const heard = `- status: Reconnecting… HTTP 503 from ${host} (attempt 1 of 5)`;
  await expect(status.ariaSnapshot()).resolves.toBe(heard);
  await expect(text(card.locator('.chip'))).resolves.toBe('Reconnecting');
  const kept = await card.locator('progress').getAttribute('value');
  expect(Number(kept)).toBeGreaterThan(0);
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'angular-reconnecting.png') });

  // The countdown moves by itself, the bar stays where it was.
  const seconds = Number(/retrying in (\d) s/.exec(shown)?.[1]);
  await waitFor('the countdown to tick', async () => (await text(status)).includes(`retrying in ${seconds - 1} s`), 2_500, 50);
  await expect(status.ariaSnapshot()).resolves.toBe(heard);
  await expect(card.locator('progress').getAttribute('value')).resolves.toBe(kept);

  // The retry is answered: the bar again, on to the saved zip.
  await waitFor('the wait to end', async () => (await card.getAttribute('data-wait')) === null, 5_000, 50);
  await expect(text(card.locator('.chip'))).resolves.toMatch(/^(Zipping|Saved)$/);
  await card.and(page.locator('[data-status="saved"]')).waitFor({ timeout: 30_000 });
  await expect(text(status)).resolves.toMatch(/^Saved \/zips\/flaky\.zip \(\d+(\.\d)? (B|KB|MB)\)$/);
  expect(demo.user.readFile('/zips/flaky.zip')).toBeDefined();
}, 70_000);

it('polls that keep failing: attempt after attempt, then the error with its hint', async () => {
  demo.fake.inject('savezipprogress', { type: 'http', status: 502, headers: { 'Retry-After': '1' } }, { times: Infinity });
  const card = await startZip('/zips/down.zip');
  const status = card.getByRole('status');
  // Every attempt is shown, up to the last one.
  const attempts = new Set<string>();
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline && (await card.getAttribute('data-status')) === 'running') {
    const match = /^Reconnecting… HTTP 502 from \S+ — retrying (in \d s|now) \(attempt (\d) of 5\)$/.exec(await text(status));
    if (match?.[2] !== undefined) attempts.add(match[2]);
    await sleep(25);
  }
  expect([...attempts]).toEqual(['1', '2', '3', '4', '5']);
  await card.and(page.locator('[data-status="failed"]')).waitFor({ timeout: 5_000 });
  await expect(card.getAttribute('data-wait')).resolves.toBeNull();
  await expect(text(status)).resolves.toMatch(/^Failed: pCloud savezipprogress: .*502/);
  await expect(text(card.locator('.hint'))).resolves.toBe("pCloud's server answered HTTP 502 on every retry: it is having trouble, try again in a few minutes.");
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'angular-failed.png') });
}, 70_000);
