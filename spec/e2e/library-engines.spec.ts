/**
 * The library itself in Chromium, Firefox and WebKit (spec/e2e/engines): lib/index.ts bundled as
 * a browser ESM (esbuild, platform browser), loaded by a page on one loopback origin, calling
 * pCloud (the emulator, or a server of the spec's own) on another, as a web app does. What differs
 * between engines: loading the bundle, reading a streamed body up to `maxResponseBytes`,
 * `AbortController` mid-request, and keeping the token out of every URL.
 *
 * The functions given to `page.evaluate` run in the page: they use only their argument and
 * `window.zipLib` (the bundle's exports). Screenshots go to .tmp/e2e/<engine>/ (gitignored).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { startFakePCloud, type FakePCloud, type FakeUser } from '../../lib/testing/index.js';
import { requestsOf } from '../support/requests.js';
import { sleep, waitFor } from '../support/wait.js';
import { ENGINES, type EngineBrowser, type EnginePage } from './engines/index.js';
import { waitInPage, withShots } from './engines/page-steps.js';

type Lib = typeof import('../../lib/index.js');
/** What a page-side run reports: the events' types, or the error's name and message. */
interface Outcome {
  readonly events: string[];
  readonly error?: { readonly name: string; readonly message: string };
}

const ROOT = join(__dirname, '..', '..');
const PAGE = '<!doctype html><meta charset="utf-8"><title>pcloud-zip-progress</title><body><pre id="log"></pre>'
  + '<script type="module">import * as zipLib from "/lib.js"; window.zipLib = zipLib; document.body.dataset.ready = "yes";</script>';

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function close(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => {
    resolve();
  }));
}

/** The page and the bundle, on their own origin: no CORS header, as a site serves its app. */
function siteServer(bundle: string): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/') res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(PAGE);
    else if (path === '/lib.js') res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' }).end(bundle);
    else res.writeHead(404).end();
  });
}

/** A body that never ends on its own: the library must stop reading it. */
interface EndlessBody {
  readonly server: Server;
  /** Answers whose connection the client closed while the body was still being sent. */
  closedEarly: number;
  /** The paths of the requests (not the preflights). */
  readonly requests: string[];
}

const CORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Authorization, Content-Type' };

function endlessBodyServer(): EndlessBody {
  const state: EndlessBody = {
    closedEarly: 0,
    requests: [],
    server: createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS).end();
        return;
      }
      state.requests.push(new URL(req.url ?? '/', 'http://localhost').pathname);
      // No Content-Length: a chunked JSON body growing 16 KiB every 5 ms, up to 64 MiB.
      res.writeHead(200, { ...CORS, 'Content-Type': 'application/json' });
      res.write('{"result":0,"pad":"');
      let sent = 0;
      const timer = setInterval(() => {
        if (sent >= 64 * 1024 * 1024) {
          clearInterval(timer);
          res.end('"}');
          return;
        }
        res.write('x'.repeat(16 * 1024));
        sent += 16 * 1024;
      }, 5);
      res.on('close', () => {
        clearInterval(timer);
        if (!res.writableEnded) state.closedEarly += 1;
      });
    }),
  };
  return state;
}

let bundle: { code: string; inputs: string[] };
let fake: FakePCloud | undefined;
let user: FakeUser;
/** A zip of about 10 s (20 files of 50 KB at 100 KB/s): savezip's answer is long in coming. */
let photos: number;
/** A zip of about 1.5 s (3 files of 50 KB). */
let notes: number;
let site: Server | undefined;
let siteUrl: string;

beforeAll(async () => {
  const built = await esbuild.build({
    entryPoints: [join(ROOT, 'lib', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  bundle = { code: built.outputFiles[0]!.text, inputs: Object.keys(built.metafile.inputs) };
  fake = await startFakePCloud({ bytesPerSecond: 100_000 });
  user = fake.addUser();
  photos = user.mkdir('/photos').folderid;
  for (let i = 0; i < 20; i += 1) user.writeFile(`/photos/${i}.jpg`, 'p'.repeat(50_000));
  notes = user.mkdir('/notes').folderid;
  for (let i = 0; i < 3; i += 1) user.writeFile(`/notes/${i}.txt`, 'n'.repeat(50_000));
  site = siteServer(bundle.code);
  siteUrl = await listen(site);
}, 30_000);

afterAll(async () => {
  await close(site);
  await fake?.close();
  await esbuild.stop();
}, 10_000);

it('the bundle is the library source for browsers: ESM, without any Node built-in', () => {
  expect(bundle.inputs).toContain('lib/index.ts');
  expect(bundle.inputs.filter((input) => input.startsWith('node:') || input.startsWith('lib/node'))).toEqual([]);
  expect(bundle.code).toMatch(/^export \{/m);
});

describe.each(ENGINES)('$name', (engine) => {
  const shots = join(ROOT, '.tmp', 'e2e', engine.name);
  let browser: EngineBrowser | undefined;
  let page: EnginePage;

  beforeAll(async () => {
    const missing = engine.missing();
    // Not a skip: a CI image without the browser must be noticed, not silently pass.
    if (missing !== undefined) throw new Error(missing);
    browser = await engine.launch();
  }, 45_000);

  afterAll(async () => {
    await browser?.close();
  }, 15_000);

  beforeEach(async () => {
    if (browser === undefined) throw new Error('beforeAll failed');
    page = await browser.newPage();
    await page.goto(`${siteUrl}/`);
    await waitInPage(page, 'the bundle to load', () => document.body.dataset.ready === 'yes', undefined, 5_000);
  }, 20_000);

  afterEach(async () => {
    fake?.clearFaults();
    await page.close();
  }, 10_000);

  function emulator(): FakePCloud {
    if (fake === undefined) throw new Error('beforeAll failed');
    return fake;
  }

  it('loads the bundle and runs a zip with saveZip$ to the saved file, the token never in a URL', async () => {
    await withShots(page, shots, 'library-zip', async () => {
      const topath = `/${engine.name}.zip`;
      const before = emulator().requests.length;
      const outcome = await page.evaluate(({ apiUrl, auth, folderid: id, topath: to }) => {
        const lib = (window as unknown as { zipLib: Lib }).zipLib;
        return new Promise<Outcome>((resolve) => {
          const events: string[] = [];
          lib.saveZip$({ apiUrl, auth, folderid: id, topath: to }).subscribe({
            next: (event) => events.push(event.type === 'saved' ? `saved ${event.metadata.path}` : event.type),
            error: (error: Error) => {
              resolve({ events, error: { name: error.name, message: error.message } });
            },
            complete: () => {
              resolve({ events });
            },
          });
        });
      }, { apiUrl: emulator().url, auth: user.auth, folderid: notes, topath });

      expect(outcome.error).toBeUndefined();
      expect(outcome.events[0]).toBe('started');
      expect(outcome.events.filter((type) => type === 'progress').length).toBeGreaterThanOrEqual(2);
      expect(outcome.events.at(-1)).toBe(`saved ${topath}`);
      expect(user.readFile(topath)).toBeDefined();

      // Credentials in the POST body: not in the URL of any request the emulator or the page saw.
      const sent = emulator().requests.slice(before).filter((r) => r.httpMethod !== 'OPTIONS');
      expect(sent.length).toBeGreaterThanOrEqual(3);
      expect(sent.filter((r) => r.credentials === 'query')).toEqual([]);
      expect(sent.filter((r) => r.method === 'savezip').map((r) => r.credentials)).toEqual(['body']);
      const urls = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name), undefined);
      expect(urls.filter((url) => url.startsWith(emulator().url)).length).toBeGreaterThanOrEqual(3);
      expect(urls.filter((url) => url.includes(user.auth) || url.includes('auth='))).toEqual([]);
    });
  }, 40_000);

  it('stops reading a streamed body at maxResponseBytes: ResponseDecodeError, the connection closed', async () => {
    const endless = endlessBodyServer();
    const apiUrl = await listen(endless.server);
    try {
      await withShots(page, shots, 'library-body-limit', async () => {
        const outcome = await page.evaluate(({ apiUrl: url, auth, maxResponseBytes }) => {
          const lib = (window as unknown as { zipLib: Lib }).zipLib;
          return new Promise<Outcome>((resolve) => {
            lib.saveZip$({ apiUrl: url, auth, folderid: 1, topath: '/big.zip', maxResponseBytes }).subscribe({
              error: (error: Error) => {
                resolve({ events: [], error: { name: error.name, message: error.message } });
              },
              complete: () => {
                resolve({ events: ['complete'] });
              },
            });
          });
        }, { apiUrl, auth: 'not-sent-to-pcloud', maxResponseBytes: 64 * 1024 });

        expect(outcome.error?.name).toBe('ResponseDecodeError');
        expect(outcome.error?.message).toContain('longer than the 65536-byte limit');
        // Every body was given up (a read to its end would take minutes): savezip's, and those of
        // the calls around it (currentserver before, a progress check after a lost answer).
        expect(endless.requests).toContain('/savezip');
        await waitFor('every connection to be closed', () => endless.closedEarly === endless.requests.length, 5_000, 20);
      });
    } finally {
      await close(endless.server);
    }
  }, 30_000);

  it('an AbortController aborts savezip mid-request: AbortError, no request after it', async () => {
    await withShots(page, shots, 'library-abort', async () => {
      const topath = `/${engine.name}-aborted.zip`;
      const before = emulator().requests.length;
      await page.evaluate(({ apiUrl, auth, folderid: id, topath: to }) => {
        const lib = (window as unknown as { zipLib: Lib }).zipLib;
        const controller = new AbortController();
        // Every fetch the page makes, on the page's clock: the browser may deliver a request
        // fetched just before the abort to the server just after it.
        const fetched: { url: string; at: number }[] = [];
        const pageFetch = window.fetch.bind(window);
        window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
          fetched.push({ url: input instanceof Request ? input.url : String(input), at: performance.now() });
          return pageFetch(input, init);
        };
        const run = { abort: () => { controller.abort(); run.abortedAt = performance.now(); }, abortedAt: 0, fetched, outcome: undefined as Outcome | undefined };
        (window as unknown as { run: typeof run }).run = run;
        lib.saveZip$({ apiUrl, auth, folderid: id, topath: to, signal: controller.signal }).subscribe({
          error: (error: Error) => {
            run.outcome = { events: [], error: { name: error.name, message: error.message } };
          },
          complete: () => {
            run.outcome = { events: ['complete'] };
          },
        });
      }, { apiUrl: emulator().url, auth: user.auth, folderid: photos, topath });

      // savezip answers when the zip is done (about 10 s): abort while it is in flight, polls
      // going on beside it.
      const savezip = (): ReturnType<typeof requestsOf> => requestsOf(emulator(), 'savezip').filter((r) => r.httpMethod !== 'OPTIONS' && r.params.topath === topath);
      await waitFor('savezip to reach the emulator', () => savezip().length === 1, 5_000, 10);
      await waitFor('a progress poll', () => (requestsOf(emulator(), 'savezipprogress').at(-1)?.at ?? 0) >= (savezip()[0]?.at ?? Infinity), 5_000, 10);
      await page.evaluate(() => {
        (window as unknown as { run: { abort: () => void } }).run.abort();
      }, undefined);
      await waitInPage(page, 'the outcome', () => (window as unknown as { run: { outcome?: Outcome } }).run.outcome !== undefined, undefined, 5_000);
      expect(await page.evaluate(() => (window as unknown as { run: { outcome: Outcome } }).run.outcome, undefined)).toEqual({ events: [], error: { name: 'AbortError', message: expect.any(String) as unknown } });
      await waitFor('the emulator to see savezip aborted', () => savezip()[0]?.aborted === true, 5_000, 20);

      // Longer than the first waits of the schedule: a surviving poll would be sent by now.
      await sleep(1_000);
      const run = await page.evaluate(() => (window as unknown as { run: { abortedAt: number; fetched: { url: string; at: number }[] } }).run, undefined);
      expect(run.fetched.filter((call) => call.at >= run.abortedAt)).toEqual([]);
      expect(run.fetched.map((call) => new URL(call.url).pathname)).toEqual(expect.arrayContaining(['/savezip', '/savezipprogress']));
      // And the emulator got nothing the page did not fetch before the abort. A poll fetched just
      // before it is aborted with savezip and may never be sent (as Firefox did in the web demo's
      // cancel spec): every fetch, or all but that one.
      const received = emulator().requests.slice(before).filter((r) => r.httpMethod !== 'OPTIONS').length;
      expect(received).toBeLessThanOrEqual(run.fetched.length);
      expect(received).toBeGreaterThanOrEqual(run.fetched.length - 1);
    });
  }, 30_000);
});
