import { lastValueFrom, toArray } from 'rxjs';
import { PCloudApiError, saveZip$, type SaveZipEvent, type SaveZipOptions } from '../../lib/index.js';
import { type FakePCloud, type FakeUser, startFakePCloud } from '../../lib/testing/index.js';
import { collect } from '../support/collect.js';
import { requestsOf } from '../support/requests.js';
import { folderidOf } from '../support/seed.js';
import { sleep, waitFor } from '../support/wait.js';
import { filesOf, unzip } from '../testing/helpers.js';

/** saveZip$ against the emulator over real HTTP: real zips, real progress, real aborts. */
describe('saveZip$', () => {
  let fake: FakePCloud;
  let user: FakeUser;
  let folderid: number;
  const contents = new Map<string, Buffer>();

  async function start(options: Parameters<typeof startFakePCloud>[0] = {}): Promise<void> {
    fake = await startFakePCloud({ bytesPerSecond: 20_000, ...options });
    user = fake.addUser();
    contents.clear();
    for (let i = 0; i < 8; i++) {
      const data = Buffer.alloc(500 + i * 100, i);
      contents.set(`part-${i}.bin`, data);
      user.writeFile(`/src/part-${i}.bin`, data);
    }
    folderid = folderidOf(user, '/src');
    user.mkdir('/out');
  }
  afterEach(async () => {
    await fake.close();
  });

  const options = (extra: Partial<SaveZipOptions> = {}): SaveZipOptions => ({
    auth: user.auth,
    apiUrl: fake.url,
    folderid,
    topath: '/out/all.zip',
    backoff: { initialDelay: 20, maxDelay: 50, jitter: 'none' },
    ...extra,
  });
  const methods = (): string[] => fake.requests.map((r) => r.method);
  /** A fetch that counts the requests the library starts (the server may log one a little later). */
  function countingFetch(): { fetch: typeof globalThis.fetch; sent: () => number } {
    let sent = 0;
    return {
      fetch: (input, init) => {
        sent += 1;
        return globalThis.fetch(input, init);
      },
      sent: () => sent,
    };
  }

  it('emits started, then growing progress, then the saved metadata, and the zip holds the tree', async () => {
    await start();
    const before = Date.now();
    const events = await lastValueFrom(saveZip$(options()).pipe(toArray()));
    const progress = events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
    const saved = events.at(-1);
    expect(saved?.type).toBe('saved');
    const [started] = events;
    if (started?.type !== 'started') throw new Error('no started event first');
    const sent = requestsOf(fake, 'savezip')[0];
    // The ref names the job savezip was sent with, the pinned host, the destination, the time.
    expect(started.job).toEqual({ progresshash: sent?.params.progresshash, apiUrl: fake.url, destination: { topath: '/out/all.zip' }, startedAt: started.job.startedAt });
    expect(started.job.startedAt).toBeGreaterThanOrEqual(before);
    expect(started.job.startedAt).toBeLessThanOrEqual(sent?.at ?? 0);
    expect(JSON.parse(JSON.stringify(started.job))).toEqual(started.job);
    expect(events.slice(1, -1).every((e) => e.type === 'progress')).toBe(true);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toMatchObject({ done: true, fraction: 1, files: 8, totalfiles: 8 });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytes).toBeGreaterThanOrEqual(progress[i - 1]!.bytes);
    if (saved?.type !== 'saved') throw new Error('no saved event');
    expect(saved.metadata).toMatchObject({ name: 'all.zip', isfolder: false, contenttype: 'application/zip' });
    const zip = user.readFile('/out/all.zip');
    expect(zip?.length).toBe(saved.metadata.size);
    expect(filesOf(await unzip(zip!))).toEqual(contents);
    // Nothing is polled after the end.
    const count = fake.requests.length;
    await sleep(100);
    expect(fake.requests.length).toBe(count);
  });

  it('pins savezip and its progress to the host currentserver names', async () => {
    await start({ hostname: 'localhost' });
    const urls: string[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return globalThis.fetch(input, init);
    };
    const events = await lastValueFrom(saveZip$(options({ fetch, tofolderid: '0', toname: 'pinned.zip', topath: undefined })).pipe(toArray()));
    expect(urls[0]).toBe(`${fake.url}/currentserver`);
    const port = new URL(fake.url).port;
    // The started event carries the pinned host (what a re-attach must poll) and the destination.
    expect(events[0]).toMatchObject({ type: 'started', job: { apiUrl: `http://localhost:${port}`, destination: { tofolderid: 0, toname: 'pinned.zip' } } });
    expect(urls.slice(1).length).toBeGreaterThan(1);
    for (const url of urls.slice(1)) expect(url).toMatch(new RegExp(`^http://localhost:${port}/savezip(progress)?$`));
    // currentserver needs no credentials, so none are sent to it.
    expect(fake.requests[0]).toMatchObject({ method: 'currentserver', credentials: 'none' });
  });

  it('falls back to apiUrl when currentserver fails, and skips it when pinning is off', async () => {
    await start();
    fake.inject('currentserver', { type: 'api-error', code: 5000 });
    const events = await lastValueFrom(saveZip$(options({ topath: '/a.zip' })).pipe(toArray()));
    expect(events.at(-1)?.type).toBe('saved');
    const before = fake.requests.length;
    await lastValueFrom(saveZip$(options({ topath: '/b.zip', pinServer: false })));
    expect(fake.requests.slice(before).map((r) => r.method)).not.toContain('currentserver');
  });

  it('tolerates 1901 while the job registers', async () => {
    await start();
    fake.inject('savezip', { type: 'delay-registration', ms: 150 });
    const outcome = await collect(saveZip$(options({ topath: '/late.zip' })));
    expect(outcome.completed).toBe(true);
    expect(outcome.values.at(-1)?.type).toBe('saved');
  });

  it('uses a fresh random progresshash per subscription', async () => {
    await start({ bytesPerSecond: Infinity });
    const zip = saveZip$(options({ topath: undefined, tofolderid: 0, toname: 'x.zip' }));
    await lastValueFrom(zip);
    await collect(zip); // second run: 2004, the file exists now
    const hashes = fake.jobs().map((j) => j.progresshash);
    expect(hashes[0]).toMatch(/^[0-9a-f]{32}$/);
    const sent = requestsOf(fake, 'savezip').map((r) => r.params.progresshash);
    expect(new Set(sent).size).toBe(2);
  });

  it.each([
    ['the destination exists', () => user.writeFile('/taken.zip', 'x'), { topath: '/taken.zip' }, 2004],
    ['access is denied', () => { fake.inject('savezip', { type: 'api-error', code: 2003, error: 'Access denied.' }); }, {}, 2003],
    ['the user is over quota', () => { fake.inject('savezip', { type: 'api-error', code: 2008 }); }, {}, 2008],
    ['the destination folder is missing', () => undefined, { topath: '/nowhere/a.zip' }, 2005],
  ])('fails with PCloudApiError when %s, and stops polling', async (_what, arrange, extra, code) => {
    await start();
    arrange();
    const counter = countingFetch();
    const outcome = await collect(saveZip$(options({ ...extra, fetch: counter.fetch })));
    expect(outcome.error).toBeInstanceOf(PCloudApiError);
    expect(outcome.error).toMatchObject({ code, method: 'savezip' });
    const count = counter.sent();
    await sleep(120);
    expect(counter.sent()).toBe(count);
  });

  it('aborts savezip and polling on unsubscribe (the server sees it), then sends nothing', async () => {
    await start({ bytesPerSecond: 2000 });
    const events: SaveZipEvent[] = [];
    const counter = countingFetch();
    const subscription = saveZip$(options({ fetch: counter.fetch })).subscribe((e) => events.push(e));
    await waitFor('a progress event', () => events.some((e) => e.type === 'progress'), 5000, 10);
    subscription.unsubscribe();
    const count = counter.sent();
    await sleep(150);
    expect(requestsOf(fake, 'savezip')[0]?.aborted).toBe(true);
    expect(counter.sent()).toBe(count);
    expect(methods()).toContain('savezipprogress');
  });

  it('fails with AbortError when the signal aborts mid-job', async () => {
    await start({ bytesPerSecond: 2000 });
    const controller = new AbortController();
    const outcome = collect(saveZip$(options({ signal: controller.signal })));
    await sleep(150);
    controller.abort();
    expect((await outcome).error).toMatchObject({ name: 'AbortError' });
  });

  it('fails at the overall deadline, carrying the last progress', async () => {
    await start({ bytesPerSecond: 1000 });
    const outcome = await collect(saveZip$(options({ timeout: 300 })));
    expect(outcome.error).toMatchObject({ name: 'ProgressTimeoutError', reason: 'deadline' });
    expect((outcome.error as { lastProgress?: unknown }).lastProgress).toBeDefined();
  });
});
