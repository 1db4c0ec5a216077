/**
 * One account per connection, in the web demo (examples/browser), in a real Chromium.
 *
 * pCloud acts as the first account that logged in on a keep-alive connection, whatever the later
 * requests on it carry (pclouddoc api.txt). The page cannot choose the browser's connections, and
 * Chromium keeps an idle one for 5 minutes, across reloads (README, "One account per
 * connection"). So the page lets a second account use a host only once the first one's
 * connections have had time to close.
 *
 * "Use my pCloud account" is pointed at a second emulator behind a proxy that numbers the
 * browser's connections (spec/support/socket-numbering-server.ts): the spec sees which
 * connection carried which token. Screenshots go to .tmp/e2e/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from './engines/chromium.js';
import { startWebDemo, type WebDemo } from '../../examples/browser/server.js';
import { CONNECTION_IDLE_MS } from '../../examples/browser/connection-owners.js';
import { startFakePCloud, type FakePCloud, type FakeUser } from '../../lib/testing/index.js';
import { forwardTo, startSocketNumberingServer, type SocketNumberingServer } from '../support/socket-numbering-server.js';

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, '.tmp', 'e2e');

let browser: Browser | undefined;
let demo: WebDemo | undefined;
/** The "my account" service: a second emulator with two accounts, reached through the proxy. */
let accounts: FakePCloud | undefined;
let proxy: SocketNumberingServer | undefined;
let alice: FakeUser;
let bob: FakeUser;
let aliceFolder: number;
let bobFolder: number;
let context: BrowserContext;
let page: Page;

function seed(user: FakeUser, name: string): number {
  const folder = user.mkdir(`/${name}`);
  for (let i = 0; i < 5; i += 1) user.writeFile(`/${name}/file-${i}.txt`, `${name} ${i} `.repeat(200));
  return folder.folderid;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  demo = await startWebDemo({ dir: join(ROOT, 'examples', 'browser'), files: 10, seconds: 1 });
  accounts = await startFakePCloud({ bytesPerSecond: 20_000 });
  alice = accounts.addUser();
  bob = accounts.addUser();
  aliceFolder = seed(alice, 'alice');
  bobFolder = seed(bob, 'bob');
  proxy = await startSocketNumberingServer({ handle: forwardTo(accounts.url) });
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await accounts?.close();
  await demo?.close();
  await esbuild.stop();
}, 10_000);

beforeEach(async () => {
  if (browser === undefined || demo === undefined) throw new Error('beforeAll failed');
  context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  // The page's clock runs at its real pace; the test moves it past the browser's idle timeout.
  await context.clock.install();
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(demo.url);
  await page.waitForSelector('body[data-state="idle"]', { timeout: 5_000 });
}, 15_000);

afterEach(async () => {
  await context.close();
}, 10_000);

function running(): { demo: WebDemo; proxy: SocketNumberingServer } {
  if (demo === undefined || proxy === undefined) throw new Error('beforeAll failed');
  return { demo, proxy };
}

const text = async (selector: string): Promise<string> => (await page.textContent(selector))?.trim() ?? '';

/** "Use my pCloud account", with the proxy as the region's API host (it has no option of its own). */
async function useMyAccount(): Promise<void> {
  await page.click('label[for="mode-account"]');
  await page.$eval('#region', (select, url) => {
    (select as HTMLSelectElement).add(new Option('test service', url));
  }, running().proxy.url);
  await page.selectOption('#region', running().proxy.url);
}

/** Fills the form, starts, and waits for this attempt's outcome. */
async function zip(auth: string, folderid: number | string, topath: string): Promise<string> {
  await page.fill('#auth', auth);
  await page.fill('#folderid', String(folderid));
  await page.fill('#topath', topath);
  await page.click('#start');
  await page.waitForFunction(() => document.body.dataset.state !== 'running' && !document.getElementById('notice')?.hidden, undefined, { timeout: 15_000 });
  return page.evaluate(() => document.body.dataset.state ?? '');
}

/** The tokens each of the proxy's connections carried (requests without one, such as currentserver, left out). */
function tokensBySocket(): Map<number, Set<string>> {
  const bySocket = new Map<number, Set<string>>();
  for (const { socket, auth } of running().proxy.requests) {
    if (auth === undefined) continue;
    bySocket.set(socket, (bySocket.get(socket) ?? new Set()).add(auth));
  }
  return bySocket;
}

/** The rule: no connection carried the tokens of two accounts. */
function expectOneAccountPerConnection(): void {
  const shared = [...tokensBySocket()].filter(([, tokens]) => tokens.size > 1).map(([socket]) => `connection #${socket} carried ${tokens(socket)}`);
  expect(shared).toEqual([]);
}

const tokens = (socket: number): string => [...(tokensBySocket().get(socket) ?? [])].map((token) => (token === alice.auth ? 'Alice' : token === bob.auth ? 'Bob' : 'another token')).join(' and ');

const socketsOf = (token: string): number[] => [...tokensBySocket()].filter(([, tokens]) => tokens.has(token)).map(([socket]) => socket);
const requestsWith = (token: string): number => running().proxy.requests.filter((r) => r.auth === token).length;

it('switching accounts in one page: never two accounts on one connection, and the second waits until the first one\'s connections are closed', async () => {
  const shots: string[] = [];
  const shot = async (step: string): Promise<void> => {
    const path = join(SHOTS, `accounts-${step}.png`);
    await page.screenshot({ path, fullPage: true });
    shots.push(path);
  };
  try {
    // 1. The emulator's demo user: another origin than "my account", so no connection in common.
    expect(await zip(running().demo.config.auth, running().demo.config.folderid, '/first.zip')).toBe('saved');
    await useMyAccount();
    expect(await zip(alice.auth, aliceFolder, '/alice.zip')).toBe('saved');
    expect(requestsWith(running().demo.config.auth)).toBe(0);
    expect(alice.readFile('/alice.zip')).toBeDefined();
    await shot('alice');

    // 2. Another account at once, in the same page: refused before any request, with the wait.
    const before = running().proxy.requests.length;
    const outcome = await zip(bob.auth, bobFolder, '/bob.zip');
    expectOneAccountPerConnection();
    expect(outcome).toBe('failed');
    expect(await text('#notice-title')).toBe('Another account used this server moments ago');
    expect(await text('#notice-hint')).toMatch(/first account that logged in on it.*Start this account's zip in 5 min (0\d|10) s, or use the previous account until then, or open this page in a private window\.$/);
    expect(await page.textContent('#notice-hint')).not.toContain(alice.auth);
    expect(running().proxy.requests.length).toBe(before);
    await shot('bob-refused');

    // 3. The account that owns the connections goes on.
    expect(await zip(alice.auth, aliceFolder, '/alice-2.zip')).toBe('saved');

    // 4. A reload keeps the browser's connections (this is why): the page's next request rides
    // one that carried Alice's token. So the page still refuses Bob.
    await page.reload();
    await page.waitForSelector('body[data-state="idle"]');
    await page.evaluate(async (url) => {
      await fetch(`${url}/currentserver`, { method: 'POST' });
    }, running().proxy.url);
    expect(socketsOf(alice.auth)).toContain(running().proxy.requests.at(-1)?.socket);
    await useMyAccount();
    expect(await zip(bob.auth, bobFolder, '/bob.zip')).toBe('failed');
    expect(await text('#notice-title')).toBe('Another account used this server moments ago');
    expect(requestsWith(bob.auth)).toBe(0);

    // 5. Past the browser's idle timeout (the page's clock moved on; the proxy ends the idle
    // connections as Chromium does after 5 minutes), Bob's zip runs, in Bob's drive.
    await page.clock.fastForward(CONNECTION_IDLE_MS);
    running().proxy.closeIdle();
    expect(await zip(bob.auth, bobFolder, '/bob.zip')).toBe('saved');
    expect(await text('#notice-title')).toBe('Saved /bob.zip');
    expect(bob.readFile('/bob.zip')).toBeDefined();
    expect(alice.readFile('/bob.zip')).toBeUndefined();
    await shot('bob-saved');

    expect(requestsWith(bob.auth)).toBeGreaterThan(0);
    expectOneAccountPerConnection();
  } catch (error) {
    await shot('failed').catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\nscreenshots: ${shots.join(', ')}`, { cause: error });
  }
}, 60_000);
