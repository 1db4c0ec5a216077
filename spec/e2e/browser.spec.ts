/**
 * The library in a real browser: examples/browser/main.ts is bundled from the library source
 * with esbuild (platform browser, so a Node built-in in the main entry fails the build), served
 * from one loopback origin, and polls the emulator on another, so every call is cross-origin.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startFakePCloud } from '../../lib/testing/index.js';
import type { FakePCloud, FakeUser } from '../../lib/testing/index.js';
import type { DemoConfig, DemoResult } from '../../examples/browser/main.js';
import { requestsOf } from '../support/requests.js';
import { sleep } from '../support/wait.js';
import { filesOf, unzip } from '../testing/helpers.js';

const ROOT = join(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// 12 files x 8 kB at 48 kB/s: a 2 s job, several polls at the spec's 100..200 ms backoff.
const FILES = 12;
const FILE_SIZE = 8_000;
const BACKOFF = { initialDelay: 100, maxDelay: 200 };

/** The page script, bundled in memory; fails on anything a browser cannot load. */
async function bundle(): Promise<string> {
  const built = await esbuild.build({
    entryPoints: [join(ROOT, 'examples/browser/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(built.metafile.inputs);
  // Proves the page runs the library source, not a stale dist build.
  expect(inputs).toContain('lib/index.ts');
  expect(inputs.filter((input) => input.startsWith('node:'))).toEqual([]);
  const [output] = built.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no output');
  return output.text;
}

/** Serves index.html and the bundle on 127.0.0.1: a different origin from the emulator. */
async function serveStatic(script: string): Promise<{ url: string; server: Server }> {
  const html = await readFile(join(ROOT, 'examples/browser/index.html'), 'utf8');
  const files = new Map([
    ['/index.html', { type: 'text/html; charset=utf-8', body: html }],
    ['/main.js', { type: 'text/javascript; charset=utf-8', body: script }],
  ]);
  const server = createServer((req, res) => {
    const file = files.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let browser: Browser | undefined;
let site: { url: string; server: Server } | undefined;
let fake: FakePCloud | undefined;
let page: Page;
let user: FakeUser;
let folderid: number;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    // Not a skip: a CI image without a browser must be noticed, not silently pass.
    throw new Error(`Chromium not found at ${CHROMIUM}: install the Debian package 'chromium' or set CHROMIUM_PATH`);
  }
  site = await serveStatic(await bundle());
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    timeout: 15_000,
  });
}, 25_000);

afterAll(async () => {
  await browser?.close();
  site?.server.closeAllConnections();
  await new Promise<void>((resolve) => {
    if (site === undefined) resolve();
    else site.server.close(() => { resolve(); });
  });
  await esbuild.stop();
}, 10_000);

beforeEach(async () => {
  fake = await startFakePCloud({ bytesPerSecond: 48_000 });
  user = fake.addUser();
  for (let i = 0; i < FILES; i++) user.writeFile(`/photos/p${i}.bin`, new Uint8Array(FILE_SIZE).fill(i));
  folderid = user.mkdir('/photos').folderid;
  if (browser === undefined || site === undefined) throw new Error('beforeAll failed');
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${site.url}/index.html`);
  await page.waitForFunction(() => typeof window.zipDemo === 'object', undefined, { timeout: 5_000 });
  expect(errors).toEqual([]);
  // Same host, other port: the browser treats every emulator call as cross-origin (CORS).
  expect(new URL(page.url()).origin).not.toBe(new URL(fake.url).origin);
}, 15_000);

afterEach(async () => {
  await page.close();
  await fake?.close();
}, 10_000);

function config(topath: string): DemoConfig {
  if (fake === undefined) throw new Error('no emulator');
  return { apiUrl: fake.url, auth: user.auth, folderid, topath, backoff: BACKOFF };
}

const polls = (): number => (fake === undefined ? 0 : requestsOf(fake, 'savezipprogress').length);

it('polls the emulator cross-origin, renders progress and reaches 100%', async () => {
  const result = await page.evaluate((cfg) => window.zipDemo.start(cfg), config('/photos.zip'));

  expect(result).toMatchObject({ status: 'saved', path: '/photos.zip' } satisfies Partial<DemoResult>);
  expect(await page.textContent('#status')).toBe(`100% (${FILES}/${FILES} files)`);
  expect(await page.$eval('#bar', (bar) => (bar as HTMLProgressElement).value)).toBe(1);
  expect(await page.textContent('#result')).toMatch(/^saved \/photos\.zip \(\d+ bytes\)$/);
  // Several answers were rendered along the way, not just the final 100%.
  expect(await page.evaluate(() => window.zipDemo.progressEvents)).toBeGreaterThanOrEqual(3);
  expect(polls()).toBeGreaterThanOrEqual(3);
  const zip = user.readFile('/photos.zip');
  expect(zip).toBeDefined();
  const files = filesOf(await unzip(zip!));
  expect([...files.keys()].sort()).toEqual(Array.from({ length: FILES }, (_, i) => `p${i}.bin`).sort());
}, 15_000);

it('aborts mid-job: the page stops and the emulator sees no later request', async () => {
  const settled = page.evaluate((cfg) => window.zipDemo.start(cfg), config('/aborted.zip'));
  // Mid-job: at least one answer rendered, and far from done (the job lasts about 2 s).
  await page.waitForFunction(() => window.zipDemo.progressEvents >= 1, undefined, { timeout: 5_000 });
  await page.evaluate(() => { window.zipDemo.abort(); });
  const abortedAt = Date.now();

  expect(await settled).toEqual({ status: 'aborted' } satisfies DemoResult);
  expect(await page.textContent('#status')).toBe('cancelled');
  expect(polls()).toBeGreaterThanOrEqual(1);
  // Longer than the longest backoff: a poll timer that survived the abort would have fired.
  await sleep(3 * BACKOFF.maxDelay);
  const later = fake?.requests.filter((r) => r.at > abortedAt) ?? [];
  expect(later.map((r) => `${r.httpMethod} /${r.method}`)).toEqual([]);
  // The pending savezip was cancelled by the browser, not left hanging.
  const savezip = fake === undefined ? [] : requestsOf(fake, 'savezip').filter((r) => r.httpMethod !== 'OPTIONS');
  expect(savezip).toHaveLength(1);
  expect(savezip[0]?.aborted).toBe(true);
}, 15_000);
