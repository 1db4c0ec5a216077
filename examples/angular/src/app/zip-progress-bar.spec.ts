import { Component, inject } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { expectNoMoreRequests, type PCloudFixture, requestsOf, startPCloud, waitFor } from '../testing/fake-pcloud';
import { formatBytes, formatDuration, ZipProgressBar } from './zip-progress-bar';
import { providePCloud, ZipJobsService } from './zip-jobs.service';

/** How an app uses the component: one bar per job of the service. */
@Component({
  selector: 'app-host',
  imports: [ZipProgressBar],
  template: `
    @for (job of zips.jobs(); track job.id) {
      <app-zip-progress-bar [job]="job" />
    }
  `,
})
class Host {
  readonly zips = inject(ZipJobsService);
}

/** What the bar shows, read from the DOM. */
interface Rendered {
  readonly value: string | null;
  readonly ariaValueNow: string | null;
  readonly files: string;
  readonly bytes: string;
  readonly percent: string;
  readonly rate: string;
  readonly eta: string;
  readonly outcome: string;
  readonly hint: string;
  readonly cancelButton: boolean;
  /** An animated bar that says "working, amount unknown". */
  readonly indeterminate: boolean;
}

function element(fixture: ComponentFixture<Host>, selector: string): HTMLElement | null {
  return (fixture.nativeElement as HTMLElement).querySelector<HTMLElement>(selector);
}

function rendered(fixture: ComponentFixture<Host>): Rendered {
  const root = fixture.nativeElement as HTMLElement;
  const text = (selector: string): string => root.querySelector(selector)?.textContent.trim() ?? '';
  const progress = root.querySelector('progress');
  return {
    value: progress?.getAttribute('value') ?? null,
    ariaValueNow: progress?.getAttribute('aria-valuenow') ?? null,
    files: text('.files'),
    bytes: text('.bytes'),
    percent: text('.percent'),
    rate: text('.rate'),
    eta: text('.eta'),
    outcome: text('.outcome'),
    hint: text('.hint'),
    cancelButton: root.querySelector('button.cancel') !== null,
    indeterminate: progress !== null && !progress.hasAttribute('value'),
  };
}

let pcloud: PCloudFixture | undefined;
afterEach(async () => {
  await pcloud?.fake.close();
  pcloud = undefined;
});

async function render(bytesPerSecond: number): Promise<{ fixture: ComponentFixture<Host>; zips: ZipJobsService; pcloud: PCloudFixture }> {
  pcloud = await startPCloud({ bytesPerSecond });
  TestBed.configureTestingModule({ providers: [providePCloud(pcloud.config)] });
  const fixture = TestBed.createComponent(Host);
  fixture.autoDetectChanges();
  await fixture.whenStable();
  return { fixture, zips: TestBed.inject(ZipJobsService), pcloud };
}

/** Samples the DOM after each change detection until `done` holds. */
async function sampleUntil(fixture: ComponentFixture<Host>, done: (view: Rendered) => boolean): Promise<Rendered[]> {
  const samples: Rendered[] = [];
  await waitFor('the rendered state', () => {
    const view = rendered(fixture);
    samples.push(view);
    return done(view);
  });
  await fixture.whenStable();
  return samples;
}

describe('ZipProgressBar', () => {
  it('renders files, percent, rate and ETA while zipping, then the saved zip', async () => {
    const { fixture, zips, pcloud } = await render(100_000);
    expect(element(fixture, 'app-zip-progress-bar')).toBeNull();

    zips.start({ folderid: pcloud.folderid, topath: '/zips/photos.zip' });
    await fixture.whenStable();
    // Before the first answer: an indeterminate bar, a Cancel button.
    expect(rendered(fixture)).toMatchObject({ value: null, indeterminate: true, files: '– files', percent: '0%', outcome: 'Zipping…', cancelButton: true });

    const samples = await sampleUntil(fixture, (view) => view.outcome.startsWith('Saved'));

    const midway = samples.filter((view) => view.outcome === 'Zipping…' && Number(view.ariaValueNow) > 0 && Number(view.ariaValueNow) < 100);
    expect(midway.length).toBeGreaterThan(0);
    for (const view of midway) {
      expect(view.value).toBe(view.ariaValueNow);
      expect(view.percent).toBe(`${view.ariaValueNow}%`);
      expect(view.files).toMatch(/^[1-4] \/ 5 files$/);
      expect(view.cancelButton).toBe(true);
    }
    // Once bytes have moved, a rate and an ETA (100 KB/s minus polling noise).
    expect(midway.some((view) => /^\d+(\.\d)? KB\/s$/.test(view.rate) && /^ETA (< 1 s|\d+ s)$/.test(view.eta))).toBe(true);

    const size = pcloud.user.readFile('/zips/photos.zip')!.length;
    const { rate, ...final } = rendered(fixture);
    expect(rate).toMatch(/ KB\/s$/);
    expect(final).toEqual({
      value: '100',
      ariaValueNow: '100',
      files: '5 / 5 files',
      percent: '100%',
      bytes: '97.7 KB of 97.7 KB',
      eta: '',
      outcome: `Saved /zips/photos.zip (${formatBytes(size)})`,
      hint: '',
      cancelButton: false,
      indeterminate: false,
    });
    expect(element(fixture, '.zip-job')?.dataset['status']).toBe('saved');
  });

  it('the Cancel button cancels the job: the bar shows it and the emulator sees the abort', async () => {
    const { fixture, zips, pcloud } = await render(20_000);
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/slow.zip', label: 'Photos' });
    await sampleUntil(fixture, (view) => view.files === '0 / 5 files');
    expect(element(fixture, '.label')?.textContent).toBe('Photos');

    element(fixture, 'button.cancel')!.click();
    await fixture.whenStable();

    expect(zips.job(id)()?.status).toBe('cancelled');
    expect(rendered(fixture)).toMatchObject({ outcome: 'Cancelled', eta: '', cancelButton: false, value: '0' });
    await waitFor('savezip to be aborted', () => requestsOf(pcloud.fake, 'savezip')[0]?.aborted);
    await expectNoMoreRequests(pcloud.fake, 'savezipprogress');
  });

  it('shows why a job failed', async () => {
    const { fixture, zips } = await render(100_000);
    zips.start({ folderid: 999_999, topath: '/zips/missing.zip' });
    const [last] = (await sampleUntil(fixture, (view) => view.outcome.startsWith('Failed'))).slice(-1);
    expect(last?.outcome).toMatch(/^Failed: pCloud savezip failed with 2005: /);
    expect(last?.hint).toMatch(/^The folder does not exist/);
    expect(last?.cancelButton).toBe(false);
  });

  it('a job that fails before any progress shows a still, empty bar, not an endless animation', async () => {
    const { fixture, zips, pcloud } = await render(100_000);
    pcloud.user.writeFile('/zips/taken.zip', 'an older zip');
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/taken.zip' });
    const [last] = (await sampleUntil(fixture, (view) => view.outcome.startsWith('Failed'))).slice(-1);
    expect(zips.job(id)()?.progress).toBeUndefined();
    expect(last).toMatchObject({ value: '0', ariaValueNow: '0', indeterminate: false, files: '', rate: '', cancelButton: false });
    expect(last?.outcome).toMatch(/^Failed: pCloud savezip failed with 2004: /);
    expect(last?.hint).toBe('A file with that name already exists: choose another name.');
  });

  it('a job cancelled before any progress stops animating too', async () => {
    const { fixture, zips, pcloud } = await render(20_000);
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/slow.zip' });
    await fixture.whenStable();
    expect(rendered(fixture).indeterminate).toBe(true);
    zips.cancel(id);
    await fixture.whenStable();
    expect(zips.job(id)()?.progress).toBeUndefined();
    expect(rendered(fixture)).toMatchObject({ value: '0', indeterminate: false, outcome: 'Cancelled' });
  });
});

describe('formatting', () => {
  it('formats bytes and durations', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.5 KB', '5.0 GB']);
    expect([formatDuration(400), formatDuration(1000), formatDuration(59_500), formatDuration(65_000), formatDuration(3_725_000)]).toEqual([
      '< 1 s',
      '1 s',
      '1 min 0 s',
      '1 min 5 s',
      '1 h 2 min',
    ]);
  });
});
