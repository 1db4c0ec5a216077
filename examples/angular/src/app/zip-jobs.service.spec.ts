import { type EnvironmentProviders, inject, Injectable, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { lastValueFrom, toArray } from 'rxjs';
import { PCloudApiError } from 'pcloud-zip-progress';
import { expectNoMoreRequests, type PCloudFixture, requestsOf, startPCloud, waitFor } from '../testing/fake-pcloud';
import { describeError } from './error-hint';
import { type PCloudConfig, providePCloud, type ZipJob, ZipJobsService } from './zip-jobs.service';

let pcloud: PCloudFixture | undefined;
afterEach(async () => {
  await pcloud?.fake.close();
  pcloud = undefined;
  // The default store is jsdom's sessionStorage, shared by every test of this file.
  sessionStorage.clear();
});

async function setUp(bytesPerSecond: number, config: Partial<PCloudConfig> = {}): Promise<{ zips: ZipJobsService; pcloud: PCloudFixture }> {
  pcloud = await startPCloud({ bytesPerSecond });
  TestBed.configureTestingModule({ providers: [providePCloud({ ...pcloud.config, ...config })] });
  return { zips: TestBed.inject(ZipJobsService), pcloud };
}

describe('ZipJobsService', () => {
  it('runs a job to saved, with progress in between, as an Observable and as a signal', async () => {
    // 5 files x 20 KB at 100 KB/s: one file every 200 ms, about 1 s in all.
    const { zips, pcloud } = await setUp(100_000);
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/photos.zip' });
    expect(zips.job(id)()).toMatchObject({ id, label: '/zips/photos.zip', status: 'running', progress: undefined });
    expect(zips.running().map((job) => job.id)).toEqual([id]);

    const states = await lastValueFrom(zips.job$(id).pipe(toArray()));

    const partial = states.filter((job) => job.progress !== undefined && job.progress.fraction > 0 && job.progress.fraction < 1);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.some((job) => job.progress?.bytesPerSecond !== undefined && job.progress.etaMs !== undefined)).toBe(true);
    const files = states.map((job) => job.progress?.files ?? 0);
    expect(files).toEqual([...files].sort((a, b) => a - b));
    expect(states.slice(0, -1).every((job) => job.status === 'running')).toBe(true);

    const last = states.at(-1)!;
    const stored = pcloud.user.readFile('/zips/photos.zip');
    expect(stored).toBeDefined();
    expect(last).toMatchObject({ status: 'saved', metadata: { path: '/zips/photos.zip', size: stored!.length }, error: undefined });
    expect(last.progress).toMatchObject({ files: 5, totalfiles: 5, fraction: 1, done: true });
    // The signal holds the same final state.
    expect(zips.jobs()).toEqual([last]);
    expect(zips.running()).toEqual([]);
    expect(requestsOf(pcloud.fake, 'savezip')).toHaveLength(1);
    expect(requestsOf(pcloud.fake, 'savezipprogress').length).toBeGreaterThan(2);
    // Nothing left to cancel.
    expect(zips.cancel(id)).toBe(false);
  });

  it('marks a job failed with the library error (here: a wrong auth token)', async () => {
    const { zips } = await setUp(100_000, { auth: 'not-a-valid-token' });
    const id = zips.start({ folderid: 1, topath: '/zips/x.zip' });
    const last = await lastValueFrom(zips.job$(id));
    expect(last.status).toBe('failed');
    expect(last.error).toBeInstanceOf(PCloudApiError);
    expect(last.error).toMatchObject({ code: 2000 });
    expect(last.metadata).toBeUndefined();
  });

  it('reads a signal token for each new job: a refreshed token is used by the next job', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 1_000_000 });
    const token = signal('expired-token');
    TestBed.configureTestingModule({ providers: [providePCloud({ ...pcloud.config, auth: token })] });
    const zips = TestBed.inject(ZipJobsService);

    const first = await lastValueFrom(zips.job$(zips.start({ folderid: pcloud.folderid, topath: '/zips/1.zip' })));
    expect(first).toMatchObject({ status: 'failed', error: { name: 'PCloudApiError', code: 2000 } });

    token.set(pcloud.user.auth); // e.g. after the user signed in again
    const second = await lastValueFrom(zips.job$(zips.start({ folderid: pcloud.folderid, topath: '/zips/2.zip' })));
    expect(second.status).toBe('saved');
    expect(pcloud.user.readFile('/zips/2.zip')).toBeDefined();
  });

  it('takes a factory that injects, with a function token read per job', async () => {
    @Injectable({ providedIn: 'root' })
    class AuthStore {
      current = 'not-yet';
    }
    pcloud = await startPCloud({ bytesPerSecond: 1_000_000 });
    const { config } = pcloud;
    const providers: EnvironmentProviders = providePCloud(() => {
      const store = inject(AuthStore);
      return { ...config, auth: () => store.current };
    });
    TestBed.configureTestingModule({ providers: [providers] });
    const zips = TestBed.inject(ZipJobsService);
    TestBed.inject(AuthStore).current = pcloud.user.auth;
    const last = await lastValueFrom(zips.job$(zips.start({ folderid: pcloud.folderid, topath: '/zips/f.zip' })));
    expect(last.status).toBe('saved');
  });

  it('sends every request through the fetch it is given (where an HttpClient interceptor cannot reach)', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    const seen: string[] = [];
    // What an interceptor would do: look at (or change) each request, then pass it on.
    const interceptingFetch: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      request.headers.set('X-Request-Id', String(seen.length));
      seen.push(`${request.method} ${new URL(request.url).pathname}`);
      return fetch(request);
    };
    TestBed.configureTestingModule({ providers: [providePCloud({ ...pcloud.config, fetch: interceptingFetch })] });
    const zips = TestBed.inject(ZipJobsService);
    const last = await lastValueFrom(zips.job$(zips.start({ folderid: pcloud.folderid, topath: '/zips/f.zip' })));
    expect(last.status).toBe('saved');
    const calls = pcloud.fake.requests.filter((request) => request.httpMethod !== 'OPTIONS');
    // Every request the emulator got went through it (savezip and the polls overlap: any order).
    expect([...seen].sort()).toEqual(calls.map((request) => `${request.httpMethod} /${request.method}`).sort());
    expect(seen.filter((line) => line.includes('/savezipprogress')).length).toBeGreaterThan(1);
  });

  it('job(id) returns one signal per id, however often it is asked for', async () => {
    const { zips, pcloud } = await setUp(1_000_000);
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/one.zip' });
    const job = zips.job(id);
    expect(zips.job(id)).toBe(job);
    const other = zips.start({ folderid: pcloud.folderid, topath: '/zips/two.zip' });
    expect(zips.job(other)).not.toBe(job);
    expect(zips.job(id)).toBe(job);
    await lastValueFrom(zips.job$(id));
    await lastValueFrom(zips.job$(other));
    expect(job()?.status).toBe('saved');
  });

  it('dismissFinished() drops ended jobs and keeps running ones', async () => {
    const { zips, pcloud } = await setUp(20_000);
    pcloud.user.writeFile('/zips/taken.zip', 'an older zip');
    const done = zips.start({ folderid: pcloud.folderid, topath: '/zips/taken.zip' });
    expect((await lastValueFrom(zips.job$(done))).status).toBe('failed');
    const running = zips.start({ folderid: pcloud.folderid, topath: '/zips/slow.zip' });
    zips.dismissFinished();
    expect(zips.jobs().map((job) => job.id)).toEqual([running]);
    expect(zips.job(done)()).toBeUndefined();
    zips.cancelAll();
  });

  it('throws at once on an invalid request, without creating a job', async () => {
    const { zips } = await setUp(100_000);
    expect(() => zips.start({ topath: '/zips/x.zip' })).toThrow(/needs a tree/);
    expect(() => zips.start({ folderid: 1, topath: '/zips/x.zip', tofolderid: 2, toname: 'x.zip' })).toThrow(/exactly one destination/);
    expect(zips.jobs()).toEqual([]);
    expect(pcloud!.fake.requests).toEqual([]);
  });

  it('throws at once for a malformed token (white space, or auth and accessToken both set)', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    const { folderid, user } = pcloud;
    const token = signal(`${user.auth}\n`); // pasted with its line break
    TestBed.configureTestingModule({ providers: [providePCloud({ ...pcloud.config, auth: token })] });
    const zips = TestBed.inject(ZipJobsService);
    expect(() => zips.start({ folderid, topath: '/zips/x.zip' })).toThrow(new TypeError('auth contains white space or control characters'));
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [providePCloud({ ...pcloud.config, accessToken: 'also-a-token' })] });
    expect(() => TestBed.inject(ZipJobsService).start({ folderid, topath: '/zips/x.zip' })).toThrow(new TypeError('pass either auth or accessToken, not both'));
    expect(pcloud.fake.requests).toEqual([]);
  });

  it('a job with no token at all (signed out) is not refused: it fails with pCloud\'s 1000, which the card explains', async () => {
    // Not a TypeError: a proxy in front of pCloud may add the token, so the request goes out.
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    const token = signal<string | undefined>(undefined); // the user has not signed in
    TestBed.configureTestingModule({ providers: [providePCloud({ ...pcloud.config, auth: token })] });
    const zips = TestBed.inject(ZipJobsService);

    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/x.zip' });
    const last = await lastValueFrom(zips.job$(id));

    expect(last).toMatchObject({ status: 'failed', error: { name: 'PCloudApiError', code: 1000 } });
    expect(last.error).toBeInstanceOf(PCloudApiError);
    expect(describeError(last.error).hint).toBe('Sign in again: the request carried no token.');
    expect(requestsOf(pcloud.fake, 'savezip').map((request) => request.credentials)).toEqual(['none']);
  });

  it('cancel() aborts the savezip request and stops the polling', async () => {
    // 5 files x 20 KB at 20 KB/s: about 5 s, far longer than the test.
    const { zips, pcloud } = await setUp(20_000);
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/slow.zip' });
    await waitFor('a first progress snapshot', () => zips.job(id)()?.progress);
    expect(requestsOf(pcloud.fake, 'savezip')[0]?.aborted).toBe(false);

    expect(zips.cancel(id)).toBe(true);
    expect(zips.job(id)()).toMatchObject({ status: 'cancelled', metadata: undefined });
    expect(zips.running()).toEqual([]);

    // The emulator sees the client close the savezip connection...
    await waitFor('savezip to be aborted', () => requestsOf(pcloud.fake, 'savezip')[0]?.aborted);
    // ...and no poll after that.
    await expectNoMoreRequests(pcloud.fake, 'savezipprogress');
    expect(pcloud.user.readFile('/zips/slow.zip')).toBeUndefined();
    expect(zips.job(id)()?.status).toBe('cancelled');
    expect(zips.cancel(id)).toBe(false);
  });

  it('destroying the service (its injector) cancels every running job', async () => {
    const { zips, pcloud } = await setUp(20_000);
    const emitted: (readonly ZipJob[])[] = [];
    let completed = false;
    zips.jobs$.subscribe({ next: (jobs) => emitted.push(jobs), complete: () => (completed = true) });
    zips.start({ folderid: pcloud.folderid, topath: '/zips/a.zip' });
    zips.start({ folderid: pcloud.folderid, topath: '/zips/b.zip' });
    await waitFor('progress on both jobs', () => zips.jobs().every((job) => job.progress !== undefined));
    expect(requestsOf(pcloud.fake, 'savezip')).toHaveLength(2);

    TestBed.resetTestingModule(); // destroys the root injector, hence the service's DestroyRef

    expect(completed).toBe(true);
    expect(emitted.at(-1)?.map((job) => job.status)).toEqual(['cancelled', 'cancelled']);
    await waitFor('both savezip requests to be aborted', () => requestsOf(pcloud.fake, 'savezip').every((request) => request.aborted));
    await expectNoMoreRequests(pcloud.fake, 'savezipprogress');
    expect(() => zips.start({ folderid: pcloud.folderid, topath: '/zips/c.zip' })).toThrow(/destroyed/);
  });
});
