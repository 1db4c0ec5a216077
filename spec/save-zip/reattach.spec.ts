import { BehaviorSubject, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { saveZip$, type SaveZipEvent, zipFileMetadata$, type ZipJobRef, zipProgress$ } from '../../lib/index.js';
import { type FakePCloud, type FakeUser, startFakePCloud } from '../../lib/testing/index.js';
import { collect } from '../support/collect.js';
import { requestsOf } from '../support/requests.js';
import { seedFolder } from '../support/seed.js';
import { sleep, waitFor, watchStalls } from '../support/wait.js';

/** Hand-off and resume against the emulator over real HTTP: a job watched by someone else. */
describe('re-attach to a zip job', () => {
  let fake: FakePCloud;
  let user: FakeUser;
  let folderid: number;

  async function start(options: Parameters<typeof startFakePCloud>[0] = {}): Promise<void> {
    fake = await startFakePCloud({ bytesPerSecond: 20_000, ...options });
    user = fake.addUser();
    folderid = seedFolder(user, '/src', 6, 800);
    user.mkdir('/out');
  }
  afterEach(async () => {
    await fake.close();
  });
  const fast = { initialDelay: 20, maxDelay: 50, jitter: 'none' } as const;
  const refOf = (progresshash: string, destination: ZipJobRef['destination'] = { topath: '/out/a.zip' }): ZipJobRef => ({
    progresshash,
    apiUrl: fake.url,
    destination,
    startedAt: Date.now(),
  });

  it('watches a job another client started to the end, then finds its zip', async () => {
    await start();
    const progresshash = fake.startZip(user, { folderid, topath: '/out/a.zip' });
    const job = JSON.parse(JSON.stringify(refOf(progresshash))) as ZipJobRef;
    const seen = await lastValueFrom(zipProgress$({ job, auth: user.auth, apiUrl: fake.url, backoff: fast }).pipe(toArray()));
    expect(seen.at(-1)).toMatchObject({ done: true, files: 6, totalfiles: 6 });
    expect(requestsOf(fake, 'savezipprogress').every((r) => r.params.progresshash === progresshash)).toBe(true);
    await waitFor('the zip to be stored', () => user.stat('/out/a.zip') !== undefined, 2000, 10);
    const metadata = await firstValueFrom(zipFileMetadata$({ job, accessToken: user.accessToken, apiUrl: fake.url }));
    expect(metadata).toEqual(user.stat('/out/a.zip'));
    expect(requestsOf(fake, 'stat')[0]?.params).toMatchObject({ path: '/out/a.zip' });
  });

  it('hands a saveZip$ job over: its first watcher dies mid-zip, the zip goes on, a second watcher sees it done; one savezip', async () => {
    await start();
    const events: SaveZipEvent[] = [];
    const first = saveZip$({ auth: user.auth, apiUrl: fake.url, folderid, topath: '/out/a.zip', backoff: fast }).subscribe((e) => events.push(e));
    const started = events.find((e): e is Extract<SaveZipEvent, { type: 'started' }> => e.type === 'started');
    expect(started).toBeUndefined(); // after currentserver, not synchronously
    await waitFor('a progress event', () => events.some((e) => e.type === 'progress'), 5000, 5);
    first.unsubscribe(); // the worker dies: savezip's connection is dropped
    const stored = JSON.stringify(events.find((e) => e.type === 'started'));
    const job = (JSON.parse(stored) as { job: ZipJobRef }).job;
    const outcome = await collect(zipProgress$({ job, auth: user.auth, apiUrl: fake.url, backoff: fast }));
    expect(outcome.completed).toBe(true);
    expect(outcome.values.at(-1)).toMatchObject({ done: true, files: 6 });
    await waitFor('the zip to be stored', () => user.stat('/out/a.zip') !== undefined, 2000, 10);
    expect(requestsOf(fake, 'savezip')).toHaveLength(1);
    expect(fake.jobs()).toHaveLength(1);
  });

  it("with savezipOnDisconnect 'abort' a dropped savezip stops the job: a re-attach fails with 1901 and no zip exists (2009)", async () => {
    await start({ savezipOnDisconnect: 'abort', bytesPerSecond: 5000 });
    const events: SaveZipEvent[] = [];
    const subscription = saveZip$({ auth: user.auth, apiUrl: fake.url, folderid, topath: '/out/a.zip', backoff: fast }).subscribe((e) => events.push(e));
    await waitFor('a progress event', () => events.some((e) => e.type === 'progress'), 5000, 5);
    subscription.unsubscribe();
    const [first] = events;
    if (first?.type !== 'started') throw new Error('no started event');
    await waitFor('the job to stop', () => fake.jobs()[0]?.aborted === true, 3000, 10);
    // The job started long ago as far as the grace goes: 1901 is final at once.
    const outcome = await collect(zipProgress$({ job: first.job, auth: user.auth, apiUrl: fake.url, notFoundGrace: 0 }));
    expect(outcome.error).toMatchObject({ name: 'PCloudApiError', code: 1901 });
    const missing = await collect(zipFileMetadata$({ job: first.job, auth: user.auth, apiUrl: fake.url }));
    expect(missing.error).toMatchObject({ name: 'PCloudApiError', code: 2009, method: 'stat' });
    expect(user.stat('/out/a.zip')).toBeUndefined();
  });

  it('a re-attach to a job that finished and expired fails at once with 1901 (the grace counts from the job start)', async () => {
    await start({ bytesPerSecond: Infinity, finishedJobTtlMs: 0 });
    const progresshash = fake.startZip(user, { folderid, topath: '/out/a.zip' });
    await waitFor('the zip to be stored', () => user.stat('/out/a.zip') !== undefined, 2000, 10);
    const job = { ...refOf(progresshash), startedAt: Date.now() - 60_000 };
    const t0 = Date.now();
    const stalls = watchStalls();
    const outcome = await collect(zipProgress$({ job, auth: user.auth, apiUrl: fake.url, backoff: fast }));
    stalls.stop();
    expect(outcome.error).toMatchObject({ name: 'PCloudApiError', code: 1901 });
    expect(requestsOf(fake, 'savezipprogress')).toHaveLength(1);
    // Not after notFoundGrace: at once (time the process was frozen left out, see watchStalls).
    expect(Date.now() - t0 - stalls.stalledMs()).toBeLessThan(2000);
    // ...and the zip is there.
    const metadata = await firstValueFrom(zipFileMetadata$({ job, auth: user.auth, apiUrl: fake.url }));
    expect(metadata).toMatchObject({ name: 'a.zip', size: user.readFile('/out/a.zip')?.length });
  });

  it('a re-attach right after the start still waits out 1901 while the job registers', async () => {
    await start();
    fake.inject('savezip', { type: 'delay-registration', ms: 200 });
    const events: SaveZipEvent[] = [];
    const watcher = saveZip$({ auth: user.auth, apiUrl: fake.url, folderid, topath: '/out/b.zip', backoff: fast, pinServer: false }).subscribe((e) => events.push(e));
    await waitFor('savezip to arrive', () => requestsOf(fake, 'savezip').length === 1, 2000, 5);
    watcher.unsubscribe();
    const [first] = events;
    if (first?.type !== 'started') throw new Error('no started event');
    expect(fake.jobs()[0]?.registered).toBe(false);
    const outcome = await collect(zipProgress$({ job: first.job, auth: user.auth, apiUrl: fake.url, backoff: fast }));
    expect(outcome.completed).toBe(true);
  });

  it('zipFileMetadata$ finds a tofolderid + toname zip with listfolder, and says 2009 when it is not there (2005 for a folder id that is gone)', async () => {
    await start();
    const out = user.stat('/out');
    if (out === undefined || !('folderid' in out)) throw new Error('no /out');
    const progresshash = fake.startZip(user, { folderid, tofolderid: out.folderid, toname: 'c.zip' });
    await waitFor('the zip to be stored', () => user.stat('/out/c.zip') !== undefined, 3000, 10);
    const job = refOf(progresshash, { tofolderid: out.folderid, toname: 'c.zip' });
    expect(await firstValueFrom(zipFileMetadata$({ job, auth: user.auth, apiUrl: fake.url }))).toEqual(user.stat('/out/c.zip'));
    expect(requestsOf(fake, 'listfolder')[0]?.params).toMatchObject({ folderid: String(out.folderid) });
    const absent = await collect(zipFileMetadata$({ job: refOf(progresshash, { tofolderid: out.folderid, toname: 'nope.zip' }), auth: user.auth, apiUrl: fake.url }));
    expect(absent.error).toMatchObject({ name: 'PCloudApiError', code: 2009, method: 'listfolder' });
    const noFolder = await collect(zipFileMetadata$({ job: refOf(progresshash, { tofolderid: 999_999, toname: 'c.zip' }), auth: user.auth, apiUrl: fake.url }));
    expect(noFolder.error).toMatchObject({ name: 'PCloudApiError', code: 2005 });
    // stat answers 2055 for a missing path (as the live service does): one "no zip" error, 2009.
    const noParent = await collect(zipFileMetadata$({ job: refOf(progresshash, { topath: '/gone/c.zip' }), auth: user.auth, apiUrl: fake.url }));
    expect(noParent.error).toMatchObject({ name: 'PCloudApiError', code: 2009, method: 'stat' });
    expect((noParent.error as Error).message).toBe('pCloud stat failed with 2009: no file at /gone/c.zip (pCloud stat failed with 2055: File or folder not found)');
  });

  it('saveZip$ passes paused to its polling only: savezip goes out, progress waits for the resume', async () => {
    await start();
    const paused = new BehaviorSubject(true);
    const outcome = collect(saveZip$({ auth: user.auth, apiUrl: fake.url, folderid, topath: '/out/p.zip', backoff: fast, paused }));
    await waitFor('savezip to arrive', () => requestsOf(fake, 'savezip').length === 1, 2000, 5);
    await sleep(150);
    expect(requestsOf(fake, 'savezipprogress')).toHaveLength(0);
    paused.next(false);
    const result = await outcome;
    expect(result.completed).toBe(true);
    expect(result.values.at(-1)).toMatchObject({ type: 'saved' });
    expect(requestsOf(fake, 'savezipprogress').length).toBeGreaterThan(0);
  });
});
