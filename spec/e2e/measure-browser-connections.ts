/**
 * Measures which connection Chromium gives a page's `fetch` calls, for README's "One account per
 * connection": `npx tsx spec/e2e/measure-browser-connections.ts` (about 10 s), or with
 * `--idle 290,300,310` to time how long an idle connection is kept (each wait in its own profile,
 * in parallel; the longest wait sets the run time).
 *
 * A server on 127.0.0.1:0 numbers its connections and answers each request with the number
 * (spec/support/socket-numbering-server.ts; it keeps idle connections 10 minutes, so the browser
 * decides). The page posts `auth=A`, then `auth=B`, as the library does (a form body, cross-origin,
 * credentials mode left at its default), and the script prints whether they shared a connection.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { listenLoopback } from '../support/listen-loopback.js';
import { startSocketNumberingServer } from '../support/socket-numbering-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

/** The page: `probe(api, token, init)` posts the token as a form and resolves to the connection's number. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>probe</title><script>
window.probe = async (api, token, init = {}) => {
  const response = await fetch(api + '/probe', { method: 'POST', body: new URLSearchParams({ auth: token }), ...init });
  return (await response.json()).socket;
};
</script>`;

/** The fetch init options tried (plain values, so they cross into the page). */
interface Init {
  readonly credentials?: RequestCredentials;
  readonly cache?: RequestCache;
  readonly keepalive?: boolean;
  readonly referrerPolicy?: ReferrerPolicy;
  readonly priority?: 'high' | 'low' | 'auto';
}

type Probe = (api: string, token: string, init?: Init) => Promise<number>;

let highest = 0;

/** Sends one request from `where`; says whether it rode a connection opened earlier, and which. */
async function probe(where: Page | Frame, api: string, token: string, init: Init = {}): Promise<number> {
  const socket = await where.evaluate(([u, t, i]) => (window as unknown as { probe: Probe }).probe(u, t, i), [api, token, init] as const);
  highest = Math.max(highest, socket);
  return socket;
}

/** The connection a request used, and whether it was opened by an earlier request. */
function reuse(socket: number, before: number): string {
  return socket <= before ? `connection ${socket}: REUSED` : `connection ${socket}: new`;
}

const same = (a: number, b: number): string => (a === b ? 'SHARED' : 'separate');

async function pageServer(host: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('frame');
    res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' }).end(src === null ? PAGE : `${PAGE}<iframe src="${src}"></iframe>`);
  });
  if (host === '127.0.0.1') {
    const listening = await listenLoopback(server);
    return { url: `${listening.url}/`, close: listening.close };
  }
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://[${host}]:${(server.address() as AddressInfo).port}/`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => { resolve(); }));
    },
  };
}

async function situations(browser: Browser, api: string, log: (line: string) => void): Promise<void> {
  const site = await pageServer('127.0.0.1');
  const sitePort = new URL(site.url).port;
  const otherSite = `http://localhost:${sitePort}/`;
  const apiOnLocalhost = `http://localhost:${new URL(api).port}`;
  try {
    {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(site.url);
      const a = await probe(page, api, 'A');
      const b = await probe(page, api, 'B');
      log(`same page, token A then token B: connection ${a}, ${b} -> ${same(a, b)}`);
      const both = await page.evaluate((u) => {
        const { probe: send } = window as unknown as { probe: Probe };
        return Promise.all([send(u, 'A'), send(u, 'B')]);
      }, api);
      highest = Math.max(highest, ...both);
      log(`same page, A and B at the same time: connections ${both.join(', ')}`);
      let before = highest;
      await Promise.all([page.waitForEvent('load'), page.evaluate(() => { setTimeout(() => { location.reload(); }, 0); })]);
      log(`after location.reload(): ${reuse(await probe(page, api, 'B'), before)}`);
      before = highest;
      await page.goto(`${site.url}?other-page`);
      log(`after navigating to another page of the site: ${reuse(await probe(page, api, 'C'), before)}`);
      before = highest;
      await page.goto('about:blank');
      await page.goto(site.url);
      log(`after about:blank and back: ${reuse(await probe(page, api, 'D'), before)}`);
      before = highest;
      await page.close();
      const tab = await context.newPage();
      await tab.goto(site.url);
      log(`tab closed, a new tab of the same site: ${reuse(await probe(tab, api, 'E'), before)}`);
      await context.close();
    }
    {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(site.url);
      const base = await probe(page, api, 'A');
      const results = {
        "credentials 'omit'": await probe(page, api, 'B', { credentials: 'omit' }),
        "credentials 'same-origin' (the default)": await probe(page, api, 'C', { credentials: 'same-origin' }),
        "credentials 'include'": await probe(page, api, 'D', { credentials: 'include' }),
        "credentials 'include' again": await probe(page, api, 'E', { credentials: 'include' }),
        "cache 'no-store'": await probe(page, api, 'F', { cache: 'no-store' }),
        'keepalive true': await probe(page, api, 'G', { keepalive: true }),
        "referrerPolicy 'no-referrer'": await probe(page, api, 'H', { referrerPolicy: 'no-referrer' }),
        "priority 'low'": await probe(page, api, 'I', { priority: 'low' }),
        'the API as localhost instead of 127.0.0.1 (another origin, same server)': await probe(page, apiOnLocalhost, 'J'),
      };
      log(`fetch init options, after a default request on connection ${base}:`);
      for (const [what, socket] of Object.entries(results)) log(`  ${what}: connection ${socket} -> ${same(socket, base)}`);
      await context.close();
    }
    {
      const context = await browser.newContext();
      const first = await context.newPage();
      await first.goto(site.url);
      const a = await probe(first, api, 'A');
      const second = await context.newPage();
      await second.goto(site.url);
      const b = await probe(second, api, 'B');
      log(`two tabs of the same site, one profile: connections ${a}, ${b} -> ${same(a, b)}`);
      const other = await context.newPage();
      await other.goto(otherSite);
      const c = await probe(other, api, 'C');
      log(`a tab of another site (page on localhost), same profile: connection ${c} -> ${same(c, b)}`);
      const worker = await first.evaluate(async (u) => {
        const code = `onmessage = async (e) => { const r = await fetch(e.data + '/probe', { method: 'POST', body: new URLSearchParams({ auth: 'W' }) }); postMessage((await r.json()).socket); };`;
        const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
        return new Promise<number>((resolve) => {
          w.onmessage = (event: MessageEvent<number>) => { resolve(event.data); };
          w.postMessage(u);
        });
      }, api);
      log(`a dedicated worker of the first tab: connection ${worker} -> ${same(worker, a)}`);
      const v6 = await pageServer('::1');
      const framed = await context.newPage();
      await framed.goto(`${site.url}?frame=${encodeURIComponent(otherSite)}`);
      await framed.evaluate((src) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.append(frame);
        return new Promise((resolve) => { frame.onload = resolve; });
      }, v6.url);
      const inFrame = framed.frames().find((f) => f.url().startsWith('http://localhost'));
      const inV6Frame = framed.frames().find((f) => f.url().startsWith('http://[::1]'));
      if (inFrame === undefined || inV6Frame === undefined) throw new Error('iframes not loaded');
      await inFrame.waitForLoadState('load');
      const top = await probe(framed, api, 'D');
      const x = await probe(inFrame, api, 'E');
      const y = await probe(inV6Frame, api, 'F');
      log(`a 127.0.0.1 page: top frame ${top} -> ${same(top, a)}; cross-site iframe (localhost) ${x} -> ${same(x, top)}; another cross-site iframe ([::1]) ${y} -> ${same(y, x)}`);
      await v6.close();
      const profile = await browser.newContext();
      const elsewhere = await profile.newPage();
      await elsewhere.goto(site.url);
      const d = await probe(elsewhere, api, 'G');
      log(`another browser context (a separate profile, like a private window): connection ${d} -> ${same(d, a)}`);
      await profile.close();
      await context.close();
    }
  } finally {
    await site.close();
  }
}

async function idle(browser: Browser, api: string, waits: number[], log: (line: string) => void): Promise<void> {
  const site = await pageServer('127.0.0.1');
  try {
    await Promise.all(waits.map(async (seconds) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(site.url);
      const a = await probe(page, api, 'A');
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      const b = await probe(page, api, 'B');
      log(`idle ${seconds} s between A and B: connections ${a}, ${b} -> ${same(a, b)}`);
      await context.close();
    }));
  } finally {
    await site.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { idle: { type: 'string' } } });
  const api = await startSocketNumberingServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  try {
    log(`Chromium ${browser.version()}`);
    if (values.idle === undefined) await situations(browser, api.url, log);
    else await idle(browser, api.url, values.idle.split(',').map(Number), log);
    log(`connections the server accepted: ${api.connections()}`);
  } finally {
    await browser.close();
    await api.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
