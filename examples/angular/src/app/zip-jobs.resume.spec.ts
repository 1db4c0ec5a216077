/**
 * ZipJobsService across a page reload: references stored as soon as savezip is sent, and a new
 * service (the reloaded page) re-attaching to them, against the emulator over real HTTP.
 */
import { TestBed } from '@angular/core/testing';
import { lastValueFrom, toArray } from 'rxjs';
import type { ZipJobRef } from 'pcloud-zip-progress';
import { type PCloudFixture, requestsOf, startPCloud, waitFor } from '../testing/fake-pcloud';
import { type StoredZipJob, ZIP_JOB_STORAGE_KEY, ZIP_JOB_STORE, type ZipJobStore } from './zip-job-store';
import { providePCloud, ZipJobsService } from './zip-jobs.service';

let pcloud: PCloudFixture | undefined;
afterEach(async () => {
  TestBed.resetTestingModule();
  await pcloud?.fake.close();
  pcloud = undefined;
  sessionStorage.clear();
});

/** A store in memory that keeps every version saved. */
function memoryStore(initial: StoredZipJob[] = []): ZipJobStore & { saves: (readonly StoredZipJob[])[] } {
  let current = initial;
  const saves: (readonly StoredZipJob[])[] = [];
  return {
    saves,
    load: () => [...current],
    save: (jobs) => {
      current = [...jobs];
      saves.push(current);
    },
  };
}

function service(fixture: PCloudFixture, store: ZipJobStore): ZipJobsService {
  TestBed.configureTestingModule({ providers: [providePCloud(fixture.config), { provide: ZIP_JOB_STORE, useValue: store }] });
  return TestBed.inject(ZipJobsService);
}

/** A zip started by "the page before the reload": the emulator runs it, no client watches it. */
function runningZip(fixture: PCloudFixture, topath: string, startedAt = Date.now()): ZipJobRef {
  const progresshash = fixture.fake.startZip(fixture.user, { folderid: String(fixture.folderid), topath });
  return { progresshash, apiUrl: fixture.fake.url, destination: { topath }, startedAt };
}

describe('ZipJobsService across reloads', () => {
  it('stores a job as soon as savezip is sent, and forgets it once saved', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    const store = memoryStore();
    const zips = service(pcloud, store);
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/kept.zip', label: 'Kept' });
    const first = await waitFor('the reference to be stored', () => store.saves[0]);
    // ('started' comes as savezip is sent: the emulator may not have recorded it yet.)
    const savezip = await waitFor('savezip to arrive', () => requestsOf(pcloud!.fake, 'savezip')[0]);
    expect(first).toMatchObject([{ id, label: 'Kept', job: { progresshash: savezip.params.progresshash, apiUrl: pcloud.fake.url, destination: { topath: '/zips/kept.zip' } } }]);
    expect(first?.[0]?.job.startedAt).toBeLessThanOrEqual(Date.now());
    // Before any progress was shown: a reload at any point after savezip finds it.
    expect(requestsOf(pcloud.fake, 'savezipprogress').length).toBeLessThanOrEqual(1);

    expect((await lastValueFrom(zips.job$(id))).status).toBe('saved');
    expect(store.saves.at(-1)).toEqual([]);
  });

  it('a new service re-attaches to a stored job: same id and label, progress, then the zip from pCloud', async () => {
    // 5 files x 20 KB at 50 KB/s: about 2 s.
    pcloud = await startPCloud({ bytesPerSecond: 50_000 });
    const job = runningZip(pcloud, '/zips/resumed.zip');
    const store = memoryStore([{ id: 'zip-7', label: 'Photos', job }]);
    const zips = service(pcloud, store);
    expect(zips.jobs()).toMatchObject([{ id: 'zip-7', label: 'Photos', status: 'running', progress: undefined }]);

    const states = await lastValueFrom(zips.job$('zip-7').pipe(toArray()));
    const last = states.at(-1)!;
    const saved = pcloud.user.readFile('/zips/resumed.zip');
    expect(last).toMatchObject({ id: 'zip-7', status: 'saved', metadata: { path: '/zips/resumed.zip', size: saved?.length } });
    expect(states.some((state) => state.progress !== undefined && state.progress.fraction < 1)).toBe(true);
    // It watched the job it was given; nobody sent savezip.
    expect(requestsOf(pcloud.fake, 'savezip')).toEqual([]);
    expect(requestsOf(pcloud.fake, 'savezipprogress').every((request) => request.params.progresshash === job.progresshash)).toBe(true);
    expect(store.saves.at(-1)).toEqual([]);
    // New jobs get new ids.
    expect(zips.start({ folderid: pcloud.folderid, topath: '/zips/next.zip' })).toBe('zip-8');
    zips.cancelAll();
  });

  it('a stored job pCloud no longer knows fails at once with 1901, and is forgotten', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    const forgotten: StoredZipJob = { id: 'zip-1', label: 'Old', job: { progresshash: 'no-such-job', apiUrl: pcloud.fake.url, destination: { topath: '/zips/old.zip' }, startedAt: Date.now() - 60_000 } };
    const store = memoryStore([forgotten]);
    const zips = service(pcloud, store);
    const last = await lastValueFrom(zips.job$('zip-1'));
    expect(last).toMatchObject({ status: 'failed', error: { name: 'PCloudApiError', code: 1901 } });
    expect(requestsOf(pcloud.fake, 'savezipprogress')).toHaveLength(1);
    expect(store.saves.at(-1)).toEqual([]);
  });

  it('a stored reference to a host outside the configured API is refused, nothing sent there', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    const planted: StoredZipJob = { id: 'zip-1', label: 'Planted', job: { progresshash: 'abc', apiUrl: 'https://evil.example', destination: { topath: '/zips/x.zip' }, startedAt: Date.now() } };
    const zips = service(pcloud, memoryStore([planted]));
    const last = await lastValueFrom(zips.job$('zip-1'));
    expect(last.status).toBe('failed');
    expect(last.error).toBeInstanceOf(TypeError);
    expect((last.error as Error).message).toContain('evil.example');
  });

  it('cancel() forgets the job; destroying the service keeps it for the next page', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 20_000 });
    const store = memoryStore();
    const zips = service(pcloud, store);
    const cancelled = zips.start({ folderid: pcloud.folderid, topath: '/zips/cancelled.zip' });
    const kept = zips.start({ folderid: pcloud.folderid, topath: '/zips/kept.zip' });
    await waitFor('both references to be stored', () => store.load().length === 2);
    zips.cancel(cancelled);
    expect(store.load().map((entry) => entry.id)).toEqual([kept]);
    TestBed.resetTestingModule();
    expect(store.load().map((entry) => entry.id)).toEqual([kept]);
  });

  it('the default store is sessionStorage, and ignores what it cannot read', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 100_000 });
    TestBed.configureTestingModule({ providers: [providePCloud(pcloud.config)] });
    const store = TestBed.inject(ZIP_JOB_STORE);
    const job = runningZip(pcloud, '/zips/session.zip');
    store.save([{ id: 'zip-3', label: 'Session', job }]);
    expect(JSON.parse(sessionStorage.getItem(ZIP_JOB_STORAGE_KEY) ?? 'null')).toEqual([{ id: 'zip-3', label: 'Session', job }]);
    store.save([]);
    expect(sessionStorage.getItem(ZIP_JOB_STORAGE_KEY)).toBeNull();

    sessionStorage.setItem(ZIP_JOB_STORAGE_KEY, '{not json');
    expect(store.load()).toEqual([]);
    sessionStorage.setItem(ZIP_JOB_STORAGE_KEY, JSON.stringify([{ id: 'zip-1', label: 'no job' }, { id: 'zip-2', label: 'ok', job }, 42]));
    expect(store.load()).toEqual([{ id: 'zip-2', label: 'ok', job }]);
    // The service resumes what the store holds.
    const zips = TestBed.inject(ZipJobsService);
    expect(zips.jobs().map((entry) => entry.id)).toEqual(['zip-2']);
    expect((await lastValueFrom(zips.job$('zip-2'))).status).toBe('saved');
  });
});
