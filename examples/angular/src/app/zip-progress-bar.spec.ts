import { Component, inject, inputBinding, outputBinding, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { ZipProgress } from 'pcloud-zip-progress';
import { expectNoMoreRequests, type PCloudFixture, requestsOf, startPCloud, waitFor } from '../testing/fake-pcloud';
import { formatBytes, formatDuration, ZipProgressBar } from './zip-progress-bar';
import { providePCloud, type ZipJob, ZipJobsService } from './zip-jobs.service';

/** How an app uses the component: one bar per job of the service, and the parent cancels. */
@Component({
  selector: 'app-host',
  imports: [ZipProgressBar],
  template: `
    @for (job of zips.jobs(); track job.id) {
      <app-zip-progress-bar [job]="job" (cancel)="onCancel($event)" />
    }
  `,
})
class Host {
  readonly zips = inject(ZipJobsService);
  /** The ids the cards asked to cancel, in order. */
  readonly cancelRequests: string[] = [];
  /** The parent's decision: cancel the job (the app does), or not. */
  cancelsJobs = true;

  onCancel(id: string): void {
    this.cancelRequests.push(id);
    if (this.cancelsJobs) this.zips.cancel(id);
  }
}

/** What the bar shows, read from the DOM. */
interface Rendered {
  readonly value: string | null;
  readonly valueText: string | null;
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
    valueText: progress?.getAttribute('aria-valuetext') ?? null,
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

    const midway = samples.filter((view) => view.outcome === 'Zipping…' && Number(view.value) > 0 && Number(view.value) < 100);
    expect(midway.length).toBeGreaterThan(0);
    for (const view of midway) {
      expect(view.percent).toBe(`${view.value}%`);
      expect(view.files).toMatch(/^[1-4] \/ 5 files$/);
      // What a screen reader says: the same files and percent as the text beside the bar.
      expect(view.valueText).toBe(`${view.files.replace(' / ', ' of ')}, ${view.value}%`);
      expect(view.cancelButton).toBe(true);
    }
    // Once bytes have moved, a rate and an ETA (100 KB/s minus polling noise).
    expect(midway.some((view) => /^\d+(\.\d)? KB\/s$/.test(view.rate) && /^ETA (< 1 s|\d+ s)$/.test(view.eta))).toBe(true);

    const size = pcloud.user.readFile('/zips/photos.zip')!.length;
    const { rate, ...final } = rendered(fixture);
    expect(rate).toMatch(/ KB\/s$/);
    expect(final).toEqual({
      value: '100',
      valueText: '5 of 5 files, 100%',
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

  it('the Cancel button asks the parent, which cancels the job: the bar shows it and the emulator sees the abort', async () => {
    const { fixture, zips, pcloud } = await render(20_000);
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/slow.zip', label: 'Photos' });
    await sampleUntil(fixture, (view) => view.files === '0 / 5 files');
    expect(element(fixture, '.label')?.textContent).toBe('Photos');

    element(fixture, 'button.cancel')!.click();
    await fixture.whenStable();

    expect(fixture.componentInstance.cancelRequests).toEqual([id]);
    expect(zips.job(id)()?.status).toBe('cancelled');
    expect(rendered(fixture)).toMatchObject({ outcome: 'Cancelled', eta: '', cancelButton: false, value: '0' });
    await waitFor('savezip to be aborted', () => requestsOf(pcloud.fake, 'savezip')[0]?.aborted);
    await expectNoMoreRequests(pcloud.fake, 'savezipprogress');
  });

  it('Cancel only asks: a parent that does not cancel keeps the job running, to saved', async () => {
    const { fixture, zips, pcloud } = await render(100_000);
    fixture.componentInstance.cancelsJobs = false; // e.g. the parent first asks "Stop this zip?"
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/kept.zip' });
    await fixture.whenStable();

    element(fixture, 'button.cancel')!.click();
    await fixture.whenStable();

    expect(fixture.componentInstance.cancelRequests).toEqual([id]);
    expect(rendered(fixture)).toMatchObject({ outcome: 'Zipping…', cancelButton: true });
    await sampleUntil(fixture, (view) => view.outcome.startsWith('Saved'));
    expect(requestsOf(pcloud.fake, 'savezip')[0]?.aborted).toBe(false);
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
    expect(last).toMatchObject({ value: '0', valueText: '0%', indeterminate: false, files: '', rate: '', cancelButton: false });
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

/** A job as the service would hand it to the card. */
function job(change: Partial<ZipJob> = {}): ZipJob {
  return { id: 'zip-7', label: 'Photos', status: 'running', progress: undefined, metadata: undefined, error: undefined, wait: undefined, ...change };
}

/** `files` of 5 files done: the counts, the fraction and the figures derived from them. */
function progress(files: number): ZipProgress {
  const fraction = files / 5;
  return { files, totalfiles: 5, bytes: files * 20_000, totalbytes: 100_000, fraction, done: files === 5, elapsedMs: 1000, bytesPerSecond: 20_000, etaMs: 1000 };
}

/** The card alone, bound as a parent binds it; no ZipJobsService anywhere (none is provided). */
function card(initial: ZipJob): { fixture: ComponentFixture<ZipProgressBar>; shown: ReturnType<typeof signal<ZipJob>>; cancelled: string[] } {
  const shown = signal(initial);
  const cancelled: string[] = [];
  const fixture = TestBed.createComponent(ZipProgressBar, {
    bindings: [inputBinding('job', shown), outputBinding<string>('cancel', (id) => cancelled.push(id))],
  });
  fixture.detectChanges();
  return { fixture, shown, cancelled };
}

function bar(fixture: ComponentFixture<ZipProgressBar>): HTMLProgressElement {
  return (fixture.nativeElement as HTMLElement).querySelector('progress')!;
}

describe('ZipProgressBar on its own', () => {
  it('needs no service: it shows the job it is given and emits cancel with its id', () => {
    const { fixture, cancelled } = card(job({ progress: progress(2) }));
    expect((fixture.nativeElement as HTMLElement).querySelector('.files')?.textContent).toBe('2 / 5 files');
    (fixture.nativeElement as HTMLElement).querySelector<HTMLButtonElement>('button.cancel')!.click();
    expect(cancelled).toEqual(['zip-7']);
  });

  it("the progress element: a native bar with a name and a value text, and no aria-value* repeating max and value (W3C ARIA in HTML)", () => {
    const { fixture, shown } = card(job());
    // Every aria-* attribute of the bar, by name: only a name and, once known, a value text.
    const aria = (): Record<string, string> =>
      Object.fromEntries(bar(fixture).getAttributeNames().filter((name) => name.startsWith('aria-')).map((name) => [name, bar(fixture).getAttribute(name)!]));
    const states: [string, ZipJob][] = [
      ['running, nothing known yet', job()],
      ['running, 3 of 5 files', job({ progress: progress(3) })],
      ['cancelled before any progress', job({ status: 'cancelled' })],
      ['saved', job({ status: 'saved', progress: progress(5) })],
    ];
    const seen = states.map(([state, value]) => {
      shown.set(value);
      fixture.detectChanges();
      const progressElement = bar(fixture);
      expect(progressElement.tagName).toBe('PROGRESS'); // implicit role progressbar
      return { state, max: progressElement.getAttribute('max'), value: progressElement.getAttribute('value'), aria: aria() };
    });
    expect(seen).toEqual([
      // Indeterminate (no value): assistive technology says "busy" by itself.
      { state: 'running, nothing known yet', max: '100', value: null, aria: { 'aria-label': 'Zip Photos' } },
      { state: 'running, 3 of 5 files', max: '100', value: '60', aria: { 'aria-label': 'Zip Photos', 'aria-valuetext': '3 of 5 files, 60%' } },
      { state: 'cancelled before any progress', max: '100', value: '0', aria: { 'aria-label': 'Zip Photos', 'aria-valuetext': '0%' } },
      { state: 'saved', max: '100', value: '100', aria: { 'aria-label': 'Zip Photos', 'aria-valuetext': '5 of 5 files, 100%' } },
    ]);
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
