import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { Component, inject, inputBinding, outputBinding, signal, type WritableSignal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { PCloudApiError, type ZipProgress } from 'pcloud-zip-progress';
import { type PCloudFixture, sleep, startPCloud } from '../../testing/fake-pcloud';
import { ZipProgressBar } from '../zip-progress-bar';
import { providePCloud, type ZipJob, ZipJobsService } from '../zip-jobs.service';
import { ZipProgressBarHarness } from './zip-progress-bar-harness';

/** A job as the service would hand it to the card. */
function job(change: Partial<ZipJob> = {}): ZipJob {
  return { id: 'zip-7', label: 'Photos', status: 'running', progress: undefined, metadata: undefined, error: undefined, wait: undefined, ...change };
}

/** `files` of 5 files done, 20 000 bytes each, at 20 000 bytes/s. */
function progress(files: number): ZipProgress {
  return {
    files,
    totalfiles: 5,
    bytes: files * 20_000,
    totalbytes: 100_000,
    fraction: files / 5,
    done: files === 5,
    elapsedMs: files * 1000,
    bytesPerSecond: 20_000,
    etaMs: (5 - files) * 1000,
  };
}

/** The card alone, bound as a parent binds it, and its harness. */
async function card(initial: ZipJob): Promise<{ harness: ZipProgressBarHarness; shown: WritableSignal<ZipJob>; cancelled: string[] }> {
  const shown = signal(initial);
  const cancelled: string[] = [];
  const fixture = TestBed.createComponent(ZipProgressBar, {
    bindings: [inputBinding('job', shown), outputBinding<string>('cancel', (id) => cancelled.push(id))],
  });
  return { harness: await TestbedHarnessEnvironment.harnessForFixture(fixture, ZipProgressBarHarness), shown, cancelled };
}

/** Everything the harness reads, in one object. */
async function read(harness: ZipProgressBarHarness): Promise<Record<string, unknown>> {
  return {
    label: await harness.getLabel(),
    status: await harness.getStatus(),
    value: await harness.getValue(),
    valueText: await harness.getValueText(),
    name: await harness.getAccessibleName(),
    percent: await harness.getPercentText(),
    files: await harness.getFilesText(),
    bytes: await harness.getBytesText(),
    rate: await harness.getRateText(),
    eta: await harness.getEtaText(),
    outcome: await harness.getOutcomeText(),
    hint: await harness.getHintText(),
    cancellable: await harness.isCancellable(),
  };
}

describe('ZipProgressBarHarness', () => {
  it('reads what the card shows, in each state of a job', async () => {
    const { harness, shown } = await card(job());
    const states: ZipJob[] = [
      job(),
      job({ progress: progress(3) }),
      job({ status: 'saved', progress: progress(5), metadata: { fileid: 1, id: 'f1', isfolder: false, name: 'photos.zip', path: '/zips/photos.zip', size: 2048 } }),
      job({
        status: 'failed',
        error: new PCloudApiError({ code: 2004, method: 'savezip', message: 'File or folder alredy exists.', transient: false }),
      }),
      job({ status: 'cancelled', progress: progress(1) }),
    ];
    const seen = [];
    for (const state of states) {
      shown.set(state); // the harness lets the card render it before each read
      seen.push(await read(harness));
    }

    const common = { label: 'Photos', name: 'Zip Photos' };
    expect(seen).toEqual([
      { ...common, status: 'running', value: null, valueText: null, percent: '0%', files: '– files', bytes: '', rate: '– /s', eta: 'ETA –', outcome: 'Zipping…', hint: '', cancellable: true },
      {
        ...common,
        status: 'running',
        value: 60,
        valueText: '3 of 5 files, 60%',
        percent: '60%',
        files: '3 / 5 files',
        bytes: '58.6 KB of 97.7 KB',
        rate: '19.5 KB/s',
        eta: 'ETA 2 s',
        outcome: 'Zipping…',
        hint: '',
        cancellable: true,
      },
      {
        ...common,
        status: 'saved',
        value: 100,
        valueText: '5 of 5 files, 100%',
        percent: '100%',
        files: '5 / 5 files',
        bytes: '97.7 KB of 97.7 KB',
        rate: '19.5 KB/s',
        eta: '',
        outcome: 'Saved /zips/photos.zip (2.0 KB)',
        hint: '',
        cancellable: false,
      },
      // Failed before any progress: a still, empty bar and no figures; the error and what to do.
      {
        ...common,
        status: 'failed',
        value: 0,
        valueText: '0%',
        percent: '',
        files: '',
        bytes: '',
        rate: '',
        eta: '',
        outcome: expect.stringMatching(/^Failed: pCloud savezip failed with 2004\b/) as unknown,
        hint: 'A file with that name already exists: choose another name.',
        cancellable: false,
      },
      {
        ...common,
        status: 'cancelled',
        value: 20,
        valueText: '1 of 5 files, 20%',
        percent: '20%',
        files: '1 / 5 files',
        bytes: '19.5 KB of 97.7 KB',
        rate: '19.5 KB/s',
        eta: '',
        outcome: 'Cancelled',
        hint: '',
        cancellable: false,
      },
    ]);
  });

  it("cancel() presses Cancel: the card emits cancel with the job's id, once per press", async () => {
    const { harness, cancelled } = await card(job({ id: 'zip-42', progress: progress(2) }));
    await harness.cancel();
    expect(cancelled).toEqual(['zip-42']);
    // The card only asks: nothing changed its input, so it still runs and still offers Cancel.
    expect(await harness.getStatus()).toBe('running');
    await harness.cancel();
    expect(cancelled).toEqual(['zip-42', 'zip-42']);
  });

  it('cancel() on an ended job fails and says why, and emits nothing', async () => {
    const { harness, cancelled } = await card(job({ status: 'saved', progress: progress(5) }));
    await expect(harness.cancel()).rejects.toThrow('Cannot cancel: the job is saved, and the card has no Cancel button');
    expect(cancelled).toEqual([]);
  });

  it('with() finds a card by label (text or pattern) and by status', async () => {
    @Component({
      imports: [ZipProgressBar],
      template: `
        @for (job of jobs(); track job.id) {
          <app-zip-progress-bar [job]="job" />
        }
      `,
    })
    class List {
      readonly jobs = signal([
        job({ id: 'zip-1', label: '/zips/photos.zip', progress: progress(1) }),
        job({ id: 'zip-2', label: '/zips/music.zip', status: 'saved', progress: progress(5) }),
        job({ id: 'zip-3', label: '/zips/photos-2024.zip', status: 'cancelled' }),
      ]);
    }
    const loader = TestbedHarnessEnvironment.loader(TestBed.createComponent(List));
    const labels = async (filters: Parameters<typeof ZipProgressBarHarness.with>[0]): Promise<string[]> =>
      Promise.all((await loader.getAllHarnesses(ZipProgressBarHarness.with(filters))).map((harness) => harness.getLabel()));

    expect(await labels({})).toEqual(['/zips/photos.zip', '/zips/music.zip', '/zips/photos-2024.zip']);
    expect(await labels({ label: '/zips/photos.zip' })).toEqual(['/zips/photos.zip']); // a string is the whole label
    expect(await labels({ label: /photos/ })).toEqual(['/zips/photos.zip', '/zips/photos-2024.zip']);
    expect(await labels({ status: 'saved' })).toEqual(['/zips/music.zip']);
    expect(await labels({ label: /photos/, status: 'cancelled' })).toEqual(['/zips/photos-2024.zip']);
    await expect(loader.getHarness(ZipProgressBarHarness.with({ label: '/zips/video.zip' }))).rejects.toThrow(/label = "\/zips\/video.zip"/);
  });
});

/** The app's way: a page lists the service's jobs, and cancels what its cards ask. */
@Component({
  imports: [ZipProgressBar],
  template: `
    @for (job of zips.jobs(); track job.id) {
      <app-zip-progress-bar [job]="job" (cancel)="zips.cancel($event)" />
    }
  `,
})
class Backups {
  readonly zips = inject(ZipJobsService);
}

/** Asks the harness until `done` holds (the emulator zips in real time). */
async function until(what: string, done: () => Promise<boolean>, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let pcloud: PCloudFixture | undefined;
afterEach(async () => {
  TestBed.resetTestingModule();
  await pcloud?.fake.close();
  pcloud = undefined;
  sessionStorage.clear();
});

describe('ZipProgressBarHarness on a page with ZipJobsService and the emulator', () => {
  it('cancels one job by its card: that card shows it cancelled, the other job goes on to saved', async () => {
    pcloud = await startPCloud({ bytesPerSecond: 50_000 });
    TestBed.configureTestingModule({ providers: [providePCloud(pcloud.config)] });
    const fixture = TestBed.createComponent(Backups);
    const loader = TestbedHarnessEnvironment.loader(fixture);
    const { zips } = fixture.componentInstance;
    zips.start({ folderid: pcloud.folderid, topath: '/zips/photos.zip' });
    const music = zips.start({ folderid: pcloud.folderid, topath: '/zips/music.zip' });

    const photosCard = await loader.getHarness(ZipProgressBarHarness.with({ label: '/zips/photos.zip' }));
    const musicCard = await loader.getHarness(ZipProgressBarHarness.with({ label: '/zips/music.zip' }));
    await until('the music card to show progress', async () => (await musicCard.getValue()) !== null);
    expect(await musicCard.getFilesText()).toMatch(/^[0-4] \/ 5 files$/);
    await musicCard.cancel();

    expect(zips.job(music)()?.status).toBe('cancelled');
    expect(await musicCard.getStatus()).toBe('cancelled');
    expect(await musicCard.isCancellable()).toBe(false);
    await until('the photos card to show it saved', async () => (await photosCard.getStatus()) === 'saved');
    expect(await read(photosCard)).toMatchObject({ value: 100, valueText: '5 of 5 files, 100%', outcome: expect.stringMatching(/^Saved \/zips\/photos\.zip \(/) as unknown });
    expect(await loader.getAllHarnesses(ZipProgressBarHarness.with({ status: 'running' }))).toEqual([]);
  });
});
