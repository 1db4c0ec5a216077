/**
 * The Angular example as an app, in Chromium: built once with the Angular CLI (production
 * configuration), served by examples/angular/server next to a seeded pCloud emulator (another
 * origin), driven through its UI. Screenshots go to .tmp/e2e/ for a person to look at.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { launchChromium, pageWithErrors } from './engines/chromium.js';
import { buildAngularApp } from '../../examples/angular/server/build.js';
import { startAngularDemo, type AngularDemo } from '../../examples/angular/server/serve.js';
import { requestsOf } from '../support/requests.js';
import { sleep } from '../support/wait.js';
import { setTabHidden } from './tab-hidden.js';

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, '.tmp', 'e2e');
// 40 files (8 MB, two large ones) zipped in about 6 s: several polls on the default schedule.
const FILES = 40;
const SECONDS = 6;

let appDir: string;
let browser: Browser | undefined;
let demo: AngularDemo | undefined;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  // First: a machine without Chromium fails here, before the build.
  browser = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
  // Once per test run: about a minute cold, seconds with the Angular CLI's cache in .tmp/.
  appDir = await buildAngularApp({ workspace: join(ROOT, 'examples/angular'), outputPath: join(ROOT, '.tmp/angular/e2e-dist') });
}, 240_000);

afterAll(async () => {
  await browser?.close();
}, 10_000);

beforeEach(async () => {
  if (browser === undefined) throw new Error('beforeAll failed');
  demo = await startAngularDemo({ appDir, files: FILES, seconds: SECONDS });
  demo.user.writeFile('/zips/taken.zip', 'an older zip');
  // A fresh profile per test: no state carried from one test to the next.
  ({ page, errors: pageErrors } = await pageWithErrors(browser, { width: 900, height: 900 }));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) pageErrors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(demo.url);
  await page.getByRole('heading', { name: 'Zip jobs' }).waitFor({ timeout: 10_000 });
}, 20_000);

afterEach(async () => {
  // The page as the test left it, passed or failed, for a person to look at.
  const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  await page.screenshot({ path: join(SHOTS, `angular-end-${name}.png`), fullPage: true });
  await page.context().close();
  await demo?.close();
  expect(pageErrors).toEqual([]);
}, 10_000);

const job = (label: string): Locator => page.locator('.zip-job', { has: page.locator('.label', { hasText: label }) });

async function startZip(topath: string): Promise<Locator> {
  await page.getByLabel('Save as').fill(topath);
  await page.getByRole('button', { name: 'Start zip' }).click();
  return job(topath);
}

const polls = (): number => (demo === undefined ? 0 : requestsOf(demo.fake, 'savezipprogress').length);

it('gets the emulator from its server, not from the URL or the bundle', async () => {
  const { url, user, folderid } = demo!;
  expect(page.url()).toBe(url);
  await expect(page.locator('.source-path').textContent()).resolves.toBe('/demo');
  await expect(page.locator('.source-meta').textContent()).resolves.toMatch(new RegExp(`^${FILES} files · \\d+\\.\\d MB$`));
  expect(folderid).toBeGreaterThan(0);
  const bundle = await Promise.all((await readdir(appDir)).filter((name) => name.endsWith('.js')).map((name) => readFile(join(appDir, name), 'utf8')));
  expect(bundle.length).toBeGreaterThan(0);
  expect(bundle.some((text) => text.includes(user.auth))).toBe(false);
});

it('zips the folder: progress with units while it runs, then the saved zip', async () => {
  const card = await startZip('/zips/photos.zip');
  // Mid-job: a determinate bar between 1 and 99 %, files, bytes, rate and ETA in units.
  await card.locator('progress[value]').waitFor({ timeout: 10_000 });
  let midway: Record<string, string> | undefined;
  for (let i = 0; i < 200 && midway === undefined; i++) {
    const value = Number(await card.locator('progress').getAttribute('value'));
    const rate = (await card.locator('.rate').textContent())?.trim() ?? '';
    if (value > 0 && value < 100 && rate.endsWith('/s') && !rate.startsWith('–')) {
      midway = {
        value: String(value),
        percent: (await card.locator('.percent').textContent())?.trim() ?? '',
        files: (await card.locator('.files').textContent())?.trim() ?? '',
        bytes: (await card.locator('.bytes').textContent())?.trim() ?? '',
        rate,
        eta: (await card.locator('.eta').textContent())?.trim() ?? '',
        status: (await card.getAttribute('data-status')) ?? '',
      };
      await page.screenshot({ path: join(SHOTS, 'angular-progress.png'), fullPage: true });
    } else await sleep(25);
  }
  expect(midway).toBeDefined();
  expect(midway).toMatchObject({ status: 'running', percent: `${midway!.value}%` });
  expect(midway!.files).toMatch(new RegExp(`^\\d+ / ${FILES} files$`));
  expect(midway!.bytes).toMatch(/^\d+(\.\d)? (B|KB|MB) of \d+\.\d MB$/);
  expect(midway!.rate).toMatch(/^\d+(\.\d)? (B|KB|MB)\/s$/);
  expect(midway!.eta).toMatch(/^ETA (–|< 1 s|\d+ s)$/);
  // What a screen reader says for the bar: the files and percent beside it (read in one go).
  const said = await card.evaluate((element) => {
    const bar = element.querySelector('progress');
    return { value: bar?.getAttribute('value'), valueText: bar?.getAttribute('aria-valuetext'), files: element.querySelector('.files')?.textContent.trim() };
  });
  expect(said.valueText).toBe(`${said.files?.replace(' / ', ' of ')}, ${said.value}%`);

  await card.and(page.locator('[data-status="saved"]')).waitFor({ timeout: 15_000 });
  const zip = demo!.user.readFile('/zips/photos.zip');
  expect(zip).toBeDefined();
  await expect(card.locator('.outcome').textContent()).resolves.toMatch(/^Saved \/zips\/photos\.zip \(\d+(\.\d)? (B|KB|MB)\)$/);
  await expect(card.locator('progress').getAttribute('value')).resolves.toBe('100');
  await expect(card.locator('.files').textContent()).resolves.toBe(`${FILES} / ${FILES} files`);
  await expect(card.locator('button.cancel').count()).resolves.toBe(0);
  await expect(page.locator('.counts').textContent()).resolves.toBe('0 running · 1 finished');
  expect(polls()).toBeGreaterThanOrEqual(3);
  await expect(progressBarAsAssistiveTechnologySeesIt('Zip /zips/photos.zip')).resolves.toEqual({
    value: 100,
    valuemin: 0,
    valuemax: 100,
    valueText: `${FILES} of ${FILES} files, 100%`,
    ariaValueAttributes: ['aria-valuetext'],
  });
}, 30_000);

/**
 * The bar in Chromium's accessibility tree (role, name, value and range, computed by the browser
 * from the native element), with the aria-value* attributes it carries. Chromium's DevTools tree
 * leaves aria-valuetext out, so that one is read from the element.
 */
async function progressBarAsAssistiveTechnologySeesIt(name: string): Promise<Record<string, unknown>> {
  const bar = page.getByRole('progressbar', { name, exact: true });
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
    const [node, ...others] = nodes.filter((candidate) => candidate.role?.value === 'progressbar' && candidate.name?.value === name);
    expect(others).toEqual([]);
    const property = (key: string): unknown => node?.properties?.find((candidate) => candidate.name === key)?.value.value;
    return {
      value: node?.value?.value,
      valuemin: property('valuemin'),
      valuemax: property('valuemax'),
      valueText: await bar.getAttribute('aria-valuetext'),
      ariaValueAttributes: await bar.evaluate((element) => element.getAttributeNames().filter((attribute) => attribute.startsWith('aria-value'))),
    };
  } finally {
    await cdp.detach();
  }
}

/** The part of a CDP Accessibility.AXNode read here. */
interface AXNode {
  role?: { value?: unknown };
  name?: { value?: unknown };
  value?: { value?: unknown };
  properties?: { name: string; value: { value?: unknown } }[];
}

it('cancels a running job: the card says so and the emulator sees no more requests', async () => {
  const card = await startZip('/zips/cancel-me.zip');
  await card.locator('progress[value]').waitFor({ timeout: 10_000 });
  await card.getByRole('button', { name: 'Cancel' }).click();
  await card.and(page.locator('[data-status="cancelled"]')).waitFor({ timeout: 5_000 });
  await expect(card.locator('.outcome').textContent()).resolves.toBe('Cancelled');
  await expect(card.locator('.chip').textContent()).resolves.toBe('Cancelled');
  await expect(card.locator('progress').evaluate((bar) => bar.matches(':indeterminate'))).resolves.toBe(false);
  const cancelledAt = Date.now();
  // Longer than the first poll intervals: a poll timer that survived the cancel would have fired.
  await sleep(1500);
  expect(demo!.fake.requests.filter((request) => request.at > cancelledAt).map((request) => request.method)).toEqual([]);
  expect(requestsOf(demo!.fake, 'savezip').filter((request) => request.httpMethod !== 'OPTIONS').map((request) => request.aborted)).toEqual([true]);
  expect(demo!.user.readFile('/zips/cancel-me.zip')).toBeUndefined();
}, 20_000);

it('shows a failed job as failed: a still bar, the error and what to do', async () => {
  // pCloud refuses at once (2004: the file exists): no progress ever arrives.
  const card = await startZip('/zips/taken.zip');
  await card.and(page.locator('[data-status="failed"]')).waitFor({ timeout: 10_000 });
  const bar = card.locator('progress');
  await expect(bar.getAttribute('value')).resolves.toBe('0');
  await expect(bar.evaluate((element) => element.matches(':indeterminate'))).resolves.toBe(false);
  await expect(card.locator('.outcome').textContent()).resolves.toMatch(/^Failed: pCloud savezip failed with 2004: /);
  await expect(card.locator('.hint').textContent()).resolves.toBe('A file with that name already exists: choose another name.');

  // An invalid destination is refused before any request.
  const before = requestsOf(demo!.fake, 'savezip').length;
  await page.getByLabel('Save as').fill('no-slash.zip');
  await page.getByRole('button', { name: 'Start zip' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toMatch(/^topath must be a full path/);
  expect(requestsOf(demo!.fake, 'savezip')).toHaveLength(before);

  // Then a good one, so the screenshot shows every state.
  const good = await startZip('/zips/photos.zip');
  await good.locator('progress[value]').waitFor({ timeout: 10_000 });
  const cancelled = await startZip('/zips/other.zip');
  await cancelled.getByRole('button', { name: 'Cancel' }).click();
  await good.and(page.locator('[data-status="saved"]')).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(SHOTS, 'angular-app.png'), fullPage: true });
}, 30_000);

it('keeps a running job across a page reload: the same card runs on to saved, with one savezip', async () => {
  const card = await startZip('/zips/reload.zip');
  await card.locator('progress[value]').waitFor({ timeout: 10_000 });
  const before = Number(await card.locator('progress').getAttribute('value'));
  expect(before).toBeLessThan(100);
  // The reference was stored as soon as savezip was sent.
  const stored = await page.evaluate(() => sessionStorage.getItem('pcloud-zip-jobs'));
  expect(JSON.parse(stored ?? '[]')).toMatchObject([{ label: '/zips/reload.zip', job: { destination: { topath: '/zips/reload.zip' } } }]);

  await page.reload();
  await page.getByRole('heading', { name: 'Zip jobs' }).waitFor({ timeout: 10_000 });
  // The card is back at once, still running, and moves on from where pCloud is.
  const resumed = job('/zips/reload.zip');
  await resumed.and(page.locator('[data-status="running"]')).waitFor({ timeout: 5_000 });
  await page.screenshot({ path: join(SHOTS, 'angular-reloaded.png'), fullPage: true });
  await resumed.and(page.locator('[data-status="saved"]')).waitFor({ timeout: 20_000 });
  await expect(resumed.locator('.outcome').textContent()).resolves.toMatch(/^Saved \/zips\/reload\.zip \(\d+(\.\d)? (B|KB|MB)\)$/);
  await expect(resumed.locator('.files').textContent()).resolves.toBe(`${FILES} / ${FILES} files`);

  // One zip: the reloaded page re-attached (savezipprogress with the stored hash) and never sent savezip again.
  const saves = requestsOf(demo!.fake, 'savezip').filter((request) => request.httpMethod !== 'OPTIONS');
  expect(saves.map((request) => request.params.topath)).toEqual(['/zips/reload.zip']);
  expect(demo!.fake.jobs()).toHaveLength(1);
  expect(demo!.user.readFile('/zips/reload.zip')).toBeDefined();
  // Ended: nothing left to resume after the next reload.
  await expect(page.evaluate(() => sessionStorage.getItem('pcloud-zip-jobs'))).resolves.toBeNull();
  // The next job does not reuse the resumed card's id.
  // (Wait for its card first: the click returns before Angular renders it, and count() does not wait.)
  await (await startZip('/zips/after-reload.zip')).waitFor({ timeout: 5_000 });
  await expect(page.locator('.zip-job').count()).resolves.toBe(2);
  await expect(resumed.and(page.locator('[data-status="saved"]')).count()).resolves.toBe(1);
}, 45_000);

it('pauses polling while the tab is hidden and polls at once when it is shown', async () => {
  const card = await startZip('/zips/hidden.zip');
  await card.locator('progress[value]').waitFor({ timeout: 10_000 });
  const progressPolls = (): number => requestsOf(demo!.fake, 'savezipprogress').filter((request) => request.httpMethod !== 'OPTIONS').length;

  await setTabHidden(page, true);
  // A poll already in flight may still land; give it time, then count.
  await sleep(300);
  const whileHidden = progressPolls();
  // Unpaused, the schedule's first waits (100 ms .. about 1 s) would poll several times here.
  await sleep(2_000);
  expect(progressPolls()).toBe(whileHidden);
  await expect(card.getAttribute('data-status')).resolves.toBe('running');

  const shownAt = Date.now();
  await setTabHidden(page, false);
  const deadline = Date.now() + 1_000;
  while (progressPolls() === whileHidden && Date.now() < deadline) await sleep(10);
  const next = requestsOf(demo!.fake, 'savezipprogress').filter((request) => request.httpMethod !== 'OPTIONS')[whileHidden];
  expect(next).toBeDefined();
  expect(next!.at - shownAt).toBeLessThan(500);
  await card.and(page.locator('[data-status="saved"]')).waitFor({ timeout: 20_000 });
}, 40_000);
