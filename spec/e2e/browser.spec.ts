/**
 * The web demo (`npm run demo:web`) in a real Chromium, driven as a person would: through the
 * form and its buttons. `startWebDemo` (what the command runs) seeds the emulator, bundles
 * examples/browser/main.ts from the library source with esbuild (platform browser, so a Node
 * built-in in the main entry fails the build) and serves the page on another loopback port than
 * the emulator, so every pCloud call is cross-origin.
 *
 * The zip itself (progress, cancel, the hidden-tab pause, the saved zip) runs in Chromium, Firefox
 * and WebKit in web-demo-engines.spec.ts; this spec drives the rest of the page in Chromium (the
 * errors and their hints, the account form, a phone screen), where playwright can answer for
 * pCloud's real hosts.
 *
 * Every test saves PNG screenshots under .tmp/e2e/chromium/ (gitignored); a failure names them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, pageWithErrors } from './engines/chromium.js';
import { startWebDemo, type WebDemo } from '../../examples/browser/server.js';

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, '.tmp', 'e2e', 'chromium');
// 40 files zipped in about 3 s: a job still running when the phone test cancels it.
const FILES = 40;
const SECONDS = 3;

let browser: Browser | undefined;
let demo: WebDemo | undefined;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  demo = await startWebDemo({ dir: join(ROOT, 'examples', 'browser'), files: FILES, seconds: SECONDS });
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await esbuild.stop();
}, 10_000);

beforeEach(async () => {
  if (browser === undefined || demo === undefined) throw new Error('beforeAll failed');
  ({ page, errors: pageErrors } = await pageWithErrors(browser, { width: 1024, height: 900 }));
  // Below the tests' own timeouts, so a stuck step still gets its screenshot.
  page.setDefaultTimeout(10_000);
  await page.goto(demo.url);
  await page.waitForSelector('body[data-state="idle"]', { timeout: 5_000 });
}, 15_000);

afterEach(async () => {
  demo?.fake.clearFaults();
  await page.close();
  // No uncaught error in the page: a handler that threw can leave the page looking right.
  expect(pageErrors).toEqual([]);
}, 10_000);

function running(): WebDemo {
  if (demo === undefined) throw new Error('no demo');
  return demo;
}

/**
 * Runs a test body, always saving a screenshot at its end; on failure the error names every
 * screenshot taken, so a person can look at what the page showed.
 */
async function withShots(name: string, body: (shot: (step: string) => Promise<void>) => Promise<void>): Promise<void> {
  const taken: string[] = [];
  const shot = async (step: string): Promise<void> => {
    const path = join(SHOTS, `${name}-${step}.png`);
    await page.screenshot({ path, fullPage: true });
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

const text = async (selector: string): Promise<string> => (await page.textContent(selector))?.trim() ?? '';
const state = (outcome: string): Promise<unknown> => page.waitForSelector(`body[data-state="${outcome}"]`, { timeout: 15_000 });

it('the page runs the library source, bundled for the browser without any Node built-in', () => {
  const inputs = running().bundledInputs;
  // The source, not a stale dist build.
  expect(inputs).toContain('lib/index.ts');
  expect(inputs).toContain('examples/browser/main.ts');
  expect(inputs.filter((input) => input.startsWith('node:'))).toEqual([]);
});

it.each([
  { name: 'already-exists', method: 'savezip', code: 2004, title: 'The zip already exists', hint: /already saved at \/exists\.zip: choose another "Save as" name/ },
  { name: 'login-failed', method: 'savezip', code: 2000, title: 'Log in failed', hint: /emulator does not know this token/ },
  { name: 'over-quota', method: 'savezipprogress', code: 2008, title: 'Not enough space', hint: /free some space/ },
])('an injected $code on $method shows an error with a hint ($name)', async ({ name, method, code, title, hint }) => {
  await withShots(`error-${name}`, async () => {
    running().fake.inject(method, { type: 'api-error', code });
    await page.fill('#topath', '/exists.zip');
    await page.click('#start');
    await state('failed');

    expect(await page.getAttribute('#notice', 'role')).toBe('alert');
    expect(await page.getAttribute('#notice', 'class')).toContain('bad');
    expect(await text('#notice-title')).toBe(title);
    expect(await text('#notice-hint')).toMatch(hint);
    expect(await page.textContent('#notice-detail')).toMatch(new RegExp(`^PCloudApiError: .*${code}`));
    // The bar stops (no indeterminate animation left running), and the form can be used again.
    expect(await page.$eval('#bar', (bar) => bar.hasAttribute('value'))).toBe(true);
    expect(await page.isEnabled('#start')).toBe(true);
  });
}, 60_000);

it('an unreachable emulator is a network error with a hint', async () => {
  await withShots('error-network', async () => {
    // Every time: Chromium itself retries a request once when a kept-alive connection drops.
    // Both methods: a lost savezip alone is followed by its progress (the zip may still be made),
    // which fails after maxRetries of its own dropped polls.
    running().fake.inject('savezip', { type: 'drop' }, { times: Infinity });
    running().fake.inject('savezipprogress', { type: 'drop' }, { times: Infinity });
    await page.fill('#topath', '/dropped.zip');
    await page.click('#start');
    await page.waitForSelector('body[data-state="failed"]', { timeout: 25_000 });
    expect(await text('#notice-title')).toBe('Cannot reach the server');
    expect(await text('#notice-hint')).toContain('npm run demo:web');
    expect(await page.textContent('#notice-detail')).toMatch(/^TransportError: /);
  });
}, 30_000);

it('"Use my pCloud account": a token in a password field and a region that picks the API host', async () => {
  await withShots('account', async (shot) => {
    const hosts: string[] = [];
    // No internet here: answer for pCloud's EU host as pCloud does for a wrong token.
    await page.route('https://*.pcloud.com/**', async (route) => {
      hosts.push(new URL(route.request().url()).host);
      await route.fulfill({ status: 200, contentType: 'application/json', headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Authorization, Content-Type' }, body: '{"result":2000,"error":"Log in failed."}' });
    });
    await page.click('label[for="mode-account"]');
    expect(await page.isVisible('#region')).toBe(true);
    expect(await page.isVisible('#server')).toBe(false);
    expect(await page.inputValue('#auth')).toBe('');
    expect(await page.inputValue('#folderid')).toBe('0');
    expect(await page.inputValue('#topath')).toBe('/pcloud-zip-progress-demo.zip');
    expect(await page.getAttribute('#auth', 'type')).toBe('password');
    expect(await page.$$eval('#region option', (options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(['https://api.pcloud.com', 'https://eapi.pcloud.com']);

    // No token: said at once, nothing sent.
    await page.click('#start');
    await state('failed');
    expect(await text('#notice-title')).toBe('Auth token missing');
    expect(await page.isVisible('#bar')).toBe(false);
    expect(hosts).toEqual([]);

    await page.selectOption('#region', 'https://eapi.pcloud.com');
    await page.fill('#auth', 'not-a-real-token');
    await shot('filled');
    await page.click('#start');
    // The previous attempt left the page in "failed" too: wait for this attempt's outcome.
    await page.waitForFunction(() => document.getElementById('notice-title')?.textContent !== 'Auth token missing');
    await state('failed');
    expect(hosts.length).toBeGreaterThan(0);
    expect(new Set(hosts)).toEqual(new Set(['eapi.pcloud.com']));
    expect(await text('#notice-title')).toBe('Log in failed');
    expect(await text('#notice-hint')).toMatch(/wrong or expired, or the account lives in the other region: EU accounts use https:\/\/eapi\.pcloud\.com/);

    // Back to the emulator: its pre-filled values are still there.
    await page.click('label[for="mode-emulator"]');
    expect(await page.inputValue('#auth')).toBe(running().config.auth);
  });
}, 30_000);

it('fits a phone screen: no horizontal scrolling, stats on two columns', async () => {
  await withShots('phone', async (shot) => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.fill('#topath', '/phone.zip');
    await page.click('#start');
    await page.waitForFunction(() => Number(document.getElementById('progress-card')?.dataset.progressEvents) >= 1, undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shot('progress');
    await page.click('#cancel');
    await state('cancelled');
  });
}, 30_000);
