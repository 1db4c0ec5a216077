import { createServer } from 'node:http';
import { lastValueFrom, toArray } from 'rxjs';
import { saveZip$, type SaveZipEvent, zipFileMetadata$, type ZipJobRef, zipProgress$ } from '../../lib/index.js';
import { type FakePCloud, type FakeUser, startFakePCloud } from '../../lib/testing/index.js';
import { collect } from '../support/collect.js';
import { listenLoopback, type Listening } from '../support/listen-loopback.js';
import { folderidOf } from '../support/seed.js';

/**
 * Where the token goes, over real HTTP. Public host names cannot be served from a test, so a
 * resolving fetch stands in for DNS: it sends `https://<host>/...` to the local server that plays
 * that host (the emulator, or a "foreign" server that records whatever reaches it). The library's
 * requests, bodies and headers are sent unchanged.
 */
describe('the token goes only to trusted hosts (pinning and re-attach)', () => {
  let fake: FakePCloud;
  let user: FakeUser;
  let folderid: number;
  let foreign: Listening;
  /** Every request the foreign server received, with its body. */
  let arrived: { host: string; path: string; body: string }[];

  async function start(currentserverHostname: string): Promise<void> {
    fake = await startFakePCloud({ bytesPerSecond: 1_000_000, hostname: currentserverHostname });
    user = fake.addUser();
    user.writeFile('/src/a.txt', 'hello');
    folderid = folderidOf(user, '/src');
    arrived = [];
    foreign = await listenLoopback(
      createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          arrived.push({ host: String(req.headers.host), path: String(req.url), body });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":0,"files":1,"totalfiles":1,"bytes":1,"totalbytes":1}');
        });
      }),
    );
  }
  afterEach(async () => {
    await fake.close();
    await foreign.close();
  });

  /** A fetch that resolves the given hosts to the emulator and any other host to the foreign server. */
  function resolvingFetch(emulatorHosts: readonly string[]): typeof globalThis.fetch {
    return async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      const target = emulatorHosts.includes(url.host) ? fake.url : foreign.url;
      return globalThis.fetch(`${target}${url.pathname}`, {
        method: request.method,
        headers: request.headers,
        body: request.method === 'GET' ? undefined : await request.text(),
        signal: request.signal,
        redirect: 'manual',
      });
    };
  }

  const fast = { initialDelay: 5, maxDelay: 20, jitter: 'none' } as const;

  it.each([
    ['co.uk', 'proxy.co.uk', 'evil.co.uk'],
    ['com.au', 'proxy.com.au', 'evil.com.au'],
    ['github.io', 'me.github.io', 'you.github.io'],
    ['an IDN look-alike of the proxy', 'proxy.example', '\u0440roxy.example'],
    ['the proxy with another port', 'proxy.example', 'proxy.example:8443'],
    ['pCloud itself, behind a proxy', 'proxy.example', 'api7.pcloud.com'],
    ['a non-API pCloud host, from pCloud', 'api.pcloud.com', 'my.pcloud.com'],
    ['a look-alike of pCloud, from pCloud', 'api.pcloud.com', 'api.pcloud.com.evil.net'],
  ])('pinning: currentserver naming a foreign host (%s) falls back to apiUrl; nothing reaches that host', async (_what, apiHost, answered) => {
    await start(answered);
    const events = await lastValueFrom(
      saveZip$({ auth: user.auth, apiUrl: `https://${apiHost}`, fetch: resolvingFetch([apiHost]), folderid, topath: '/a.zip', backoff: fast }).pipe(toArray()),
    );
    expect(events[0]).toMatchObject({ type: 'started', job: { apiUrl: `https://${apiHost}` } });
    expect(events.at(-1)).toMatchObject({ type: 'saved', metadata: { name: 'a.zip' } });
    expect(arrived).toEqual([]);
    expect(fake.requests.map((r) => r.method)).toEqual(expect.arrayContaining(['currentserver', 'savezip', 'savezipprogress']));
  });

  it.each([
    ['pCloud names another of its API hosts', 'api.pcloud.com', 'api7.pcloud.com', []],
    ['a proxy names a host the user trusts', 'proxy.co.uk', 'node1.proxy.co.uk', ['node1.proxy.co.uk']],
  ])('pinning: %s: savezip and its progress go there', async (_what, apiHost, answered, trustedHosts) => {
    await start(answered);
    const events = await lastValueFrom(
      saveZip$({ auth: user.auth, apiUrl: `https://${apiHost}`, trustedHosts, fetch: resolvingFetch([apiHost, answered]), folderid, topath: '/a.zip', backoff: fast }).pipe(toArray()),
    );
    expect(events[0]).toMatchObject({ type: 'started', job: { apiUrl: `https://${answered}` } });
    expect(events.at(-1)).toMatchObject({ type: 'saved' });
    expect(arrived).toEqual([]);
  });

  const job = (apiUrl: string): ZipJobRef => ({ progresshash: 'h', apiUrl, destination: { topath: '/a.zip' }, startedAt: Date.now() });

  it.each([
    ['co.uk', 'https://proxy.co.uk', 'https://evil.co.uk'],
    ['com.au', 'https://proxy.com.au', 'https://evil.com.au'],
    ['github.io', 'https://me.github.io', 'https://you.github.io'],
    ['an IDN look-alike', 'https://api.pcloud.com', 'https://\u0430pi7.pcloud.com'],
    ['a trailing-dot sibling', 'https://proxy.co.uk', 'https://evil.co.uk.'],
    ['an explicit other port', 'https://proxy.example', 'https://proxy.example:8443'],
    ['an IP literal next to the trusted one', 'https://10.0.0.1', 'https://10.0.0.2'],
  ])('re-attach: a stored job naming a foreign host (%s) is refused before any request', async (_what, apiUrl, stored) => {
    await start('127.0.0.1');
    const fetch = resolvingFetch([new URL(apiUrl).host]);
    expect(() => zipProgress$({ job: job(stored), auth: user.auth, apiUrl, fetch })).toThrow(/is not a host apiUrl .* trusts: no token is sent there/);
    expect(() => zipFileMetadata$({ job: job(stored), auth: user.auth, apiUrl, fetch })).toThrow(TypeError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(arrived).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it('re-attach: a job on a named host, with an explicit default port and a root dot, is watched there', async () => {
    await start('127.0.0.1');
    const progresshash = fake.startZip(user, { folderid, topath: '/a.zip' });
    const stored: ZipJobRef = { ...job('https://node1.proxy.co.uk.:443'), progresshash };
    const outcome = await collect<unknown>(
      zipProgress$({ job: stored, auth: user.auth, apiUrl: 'https://proxy.co.uk', trustedHosts: ['node1.proxy.co.uk'], fetch: resolvingFetch(['node1.proxy.co.uk.']), backoff: fast }),
    );
    expect(outcome.completed).toBe(true);
    expect(arrived).toEqual([]);
    expect(fake.requests.every((r) => r.method === 'savezipprogress')).toBe(true);
  });

  it('the started event of a fallback is re-attachable with the same options', async () => {
    await start('evil.co.uk');
    const options = { auth: user.auth, apiUrl: 'https://proxy.co.uk', fetch: resolvingFetch(['proxy.co.uk']), backoff: fast };
    const events: SaveZipEvent[] = await lastValueFrom(saveZip$({ ...options, folderid, topath: '/b.zip' }).pipe(toArray()));
    const started = events[0];
    if (started?.type !== 'started') throw new Error('no started event');
    expect(() => zipProgress$({ ...options, job: started.job })).not.toThrow();
    expect(arrived).toEqual([]);
  });
});
