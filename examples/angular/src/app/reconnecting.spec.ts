import { Component, inject, inputBinding, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { ZipProgress } from 'pcloud-zip-progress';
import { type PCloudFixture, startPCloud, waitFor } from '../testing/fake-pcloud';
import { retryReason } from './error-hint';
import { providePCloud, type ZipJob, ZipJobsService } from './zip-jobs.service';
import { ZipProgressBar } from './zip-progress-bar';

/** One card per job of the service, as the app shows them. */
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

/** What the card shows, read from the DOM. */
function view(root: HTMLElement): { value: string | null; chip: string; outcome: string; hint: string; wait: string | null; eta: string } {
  const text = (selector: string): string => root.querySelector(selector)?.textContent.trim() ?? '';
  return {
    value: root.querySelector('progress')?.getAttribute('value') ?? null,
    chip: text('.chip'),
    outcome: text('.outcome'),
    hint: text('.hint'),
    wait: root.querySelector('.zip-job')?.getAttribute('data-wait') ?? null,
    eta: text('.eta'),
  };
}

/** The outcome line as a screen reader gets it: its text without the aria-hidden parts. */
function heard(root: HTMLElement): string {
  const line = root.querySelector('.outcome')!.cloneNode(true) as HTMLElement;
  line.querySelectorAll('[aria-hidden="true"]').forEach((part) => {
    part.remove();
  });
  return line.textContent.trim();
}

let pcloud: PCloudFixture | undefined;
afterEach(async () => {
  jest.useRealTimers();
  await pcloud?.fake.close();
  pcloud = undefined;
});

async function render(bytesPerSecond: number, maxRetries?: number): Promise<{ fixture: ComponentFixture<Host>; zips: ZipJobsService; pcloud: PCloudFixture; states: ZipJob[] }> {
  pcloud = await startPCloud({ bytesPerSecond });
  TestBed.configureTestingModule({ providers: [providePCloud({ ...pcloud.config, ...(maxRetries === undefined ? {} : { maxRetries }) })] });
  const fixture = TestBed.createComponent(Host);
  fixture.autoDetectChanges();
  await fixture.whenStable();
  const zips = TestBed.inject(ZipJobsService);
  // Every state the service publishes (jobs$ is fed synchronously: none is coalesced away).
  const states: ZipJob[] = [];
  zips.jobs$.subscribe((jobs) => {
    if (jobs[0] !== undefined) states.push(jobs[0]);
  });
  return { fixture, zips, pcloud, states };
}

describe('Reconnecting: a job whose polls fail for a while', () => {
  it('shows why and when it retries, keeps the bar where it was, then goes back to the bar on the next progress', async () => {
    const { fixture, zips, pcloud, states } = await render(15_000); // 100 KB: about 7 s, longer than the wait
    const root = fixture.nativeElement as HTMLElement;
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/flaky.zip' });
    await waitFor('some progress', () => (zips.job(id)()?.progress?.files ?? 0) >= 1);
    // The next poll answers 503 with Retry-After: 2 s, the one after it is fine.
    pcloud.fake.inject('savezipprogress', { type: 'http', status: 503, headers: { 'Retry-After': '2' } });
    const shown = await waitFor('the reconnecting card', () => {
      const current = view(root);
      return current.wait === 'reconnecting' ? current : undefined;
    });
    const before = [...states].reverse().find((state) => state.wait === undefined && state.progress !== undefined);
    expect(shown).toMatchObject({
      value: String(Math.floor(before!.progress!.fraction * 100)),
      chip: 'Reconnecting',
      outcome: `Reconnecting… HTTP 503 from ${new URL(pcloud.fake.url).host} — retrying in 2 s (attempt 1 of 5)`,
      hint: '',
      // No ETA while reconnecting: the one from before the wait would be stale by the wait.
      eta: 'ETA –',
    });
    expect(zips.job(id)()?.wait).toMatchObject({ state: 'reconnecting', attempt: 1, maxRetries: 5, reason: `HTTP 503 from ${new URL(pcloud.fake.url).host}` });
    const outcome = root.querySelector('.outcome')!;
    expect([outcome.getAttribute('role'), outcome.getAttribute('aria-live')]).toEqual(['status', 'polite']);

    // The countdown moves on its own, with no new state from the service.
    const count = states.length;
    await waitFor('the countdown to tick', () => view(root).outcome.includes('retrying in 1 s'), 2_000);
    expect(states.length).toBe(count);

    // The retry answers: the next progress clears the wait, the card zips on to saved.
    await waitFor('the wait to end', () => view(root).wait === null, 4_000);
    expect(view(root)).toMatchObject({ chip: 'Zipping', outcome: 'Zipping…' });
    // The answer that ended the wait brought an ETA, read after the wait.
    const back = states.find((state, i) => i > 0 && state.wait === undefined && states[i - 1]?.wait !== undefined);
    expect(back?.progress?.etaMs).toEqual(expect.any(Number));
    expect(back!.progress!.elapsedMs).toBeGreaterThan(before!.progress!.elapsedMs + 1_900);
    await waitFor('the saved zip', () => zips.job(id)()?.status === 'saved', 10_000);
    const reconnecting = states.filter((state) => state.wait !== undefined);
    expect(reconnecting.length).toBe(1);
    expect(states.at(-1)?.wait).toBeUndefined();
    expect(JSON.stringify(states.map((state) => state.wait))).not.toContain(pcloud.user.auth);
  });

  it('fails with the error and its hint when the retries run out', async () => {
    const { fixture, zips, pcloud, states } = await render(40_000, 2);
    const root = fixture.nativeElement as HTMLElement;
    pcloud.fake.inject('savezipprogress', { type: 'http', status: 502 }, { times: Infinity });
    const id = zips.start({ folderid: pcloud.folderid, topath: '/zips/down.zip' });
    await waitFor('the failed job', () => zips.job(id)()?.status === 'failed', 10_000);
    await fixture.whenStable();

    const host = new URL(pcloud.fake.url).host;
    expect(states.flatMap((state) => (state.wait === undefined ? [] : [`${state.wait.reason}, ${state.wait.attempt} of ${state.wait.maxRetries}`]))).toEqual([
      `HTTP 502 from ${host}, 1 of 2`,
      `HTTP 502 from ${host}, 2 of 2`,
    ]);
    expect(zips.job(id)()).toMatchObject({ status: 'failed', wait: undefined, error: { name: 'TransportError', kind: 'http', status: 502 } });
    expect(view(root)).toMatchObject({ chip: 'Failed', wait: null, hint: "pCloud's server answered HTTP 502 on every retry: it is having trouble, try again in a few minutes." });
    expect(view(root).outcome).toMatch(/^Failed: pCloud savezipprogress: /);
  });
});

/** 3 of 5 files. */
const PROGRESS: ZipProgress = { files: 3, totalfiles: 5, bytes: 60_000, totalbytes: 100_000, fraction: 0.6, done: false, elapsedMs: 1000, bytesPerSecond: 20_000, etaMs: 2000 };

function job(change: Partial<ZipJob>): ZipJob {
  return { id: 'zip-1', label: 'Photos', status: 'running', progress: PROGRESS, metadata: undefined, error: undefined, wait: undefined, ...change };
}

describe('Reconnecting countdown', () => {
  it('counts down each second, then says "retrying now"; its timer stops with the wait and with the card', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const shown = signal(job({ wait: { state: 'reconnecting', reason: 'HTTP 503 from api.pcloud.com', attempt: 2, maxRetries: 5, retryAt: 1_000_000 + 12_000 } }));
    const fixture = TestBed.createComponent(ZipProgressBar, { bindings: [inputBinding('job', shown)] });
    const root = fixture.nativeElement as HTMLElement;
    const seen = (): string => {
      fixture.detectChanges();
      return view(root).outcome;
    };
    expect(seen()).toBe('Reconnecting… HTTP 503 from api.pcloud.com — retrying in 12 s (attempt 2 of 5)');
    expect(view(root).value).toBe('60');
    // The live region's text for a screen reader: the countdown is aria-hidden, so it stays the
    // same while the seconds tick (no announcement every second), and the whole line is shown.
    expect(root.querySelector('.outcome .countdown')?.getAttribute('aria-hidden')).toBe('true');
    const said = 'Reconnecting… HTTP 503 from api.pcloud.com (attempt 2 of 5)';
    expect(heard(root)).toBe(said);
    // And the ticks touch nothing else in the region (a rewrite with the same words may be read again).
    const outcome = root.querySelector('.outcome')!;
    const changes = new MutationObserver(() => undefined);
    changes.observe(outcome, { subtree: true, childList: true, characterData: true, attributes: true });
    jest.advanceTimersByTime(1000);
    expect(seen()).toBe('Reconnecting… HTTP 503 from api.pcloud.com — retrying in 11 s (attempt 2 of 5)');
    expect(heard(root)).toBe(said);
    jest.advanceTimersByTime(10_500);
    expect(seen()).toBe('Reconnecting… HTTP 503 from api.pcloud.com — retrying in 1 s (attempt 2 of 5)');
    expect(heard(root)).toBe(said);
    jest.advanceTimersByTime(500);
    expect(seen()).toBe('Reconnecting… HTTP 503 from api.pcloud.com — retrying now (attempt 2 of 5)');
    expect(heard(root)).toBe(said);
    const touched = changes.takeRecords().map((change) => change.target);
    changes.disconnect();
    expect(touched.length).toBeGreaterThanOrEqual(3);
    expect(touched.filter((node) => !outcome.querySelector('.countdown')!.contains(node))).toEqual([]);
    // Due: no more ticks.
    expect(jest.getTimerCount()).toBe(0);

    // A new wait counts down from its own delay; progress ends it.
    shown.set(job({ wait: { state: 'reconnecting', reason: 'connection to api.pcloud.com lost', attempt: 3, maxRetries: 5, retryAt: Date.now() + 2_400 } }));
    expect(seen()).toBe('Reconnecting… connection to api.pcloud.com lost — retrying in 3 s (attempt 3 of 5)');
    // A new retry: its reason and attempt are new text for the screen reader, once.
    expect(heard(root)).toBe('Reconnecting… connection to api.pcloud.com lost (attempt 3 of 5)');
    jest.advanceTimersByTime(400);
    expect(seen()).toBe('Reconnecting… connection to api.pcloud.com lost — retrying in 2 s (attempt 3 of 5)');
    expect(heard(root)).toBe('Reconnecting… connection to api.pcloud.com lost (attempt 3 of 5)');
    shown.set(job({ progress: { ...PROGRESS, files: 4, bytes: 80_000, fraction: 0.8 } }));
    expect(seen()).toBe('Zipping…');
    expect(heard(root)).toBe('Zipping…');
    expect(view(root).value).toBe('80');
    expect(jest.getTimerCount()).toBe(0);

    // A card destroyed while waiting leaves no timer behind.
    shown.set(job({ wait: { state: 'reconnecting', reason: 'HTTP 429 from api.pcloud.com', attempt: 1, maxRetries: 5, retryAt: Date.now() + 30_000 } }));
    seen();
    expect(jest.getTimerCount()).toBeGreaterThan(0);
    fixture.destroy();
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('retryReason', () => {
  const error = (name: string, fields: Record<string, unknown>): Error => Object.assign(new Error('server text and auth=secret'), { name, ...fields });
  it('names the failure by kind, status or code, never by its message', () => {
    const reasons = [
      error('TransportError', { kind: 'http', status: 503 }),
      error('TransportError', { kind: 'network' }),
      error('TransportError', { kind: 'timeout' }),
      error('PCloudApiError', { code: 5000 }),
      error('PCloudApiError', { code: 4000 }),
    ].map((failure) => retryReason(failure, 'eapi.pcloud.com'));
    expect(reasons).toEqual([
      'HTTP 503 from eapi.pcloud.com',
      'connection to eapi.pcloud.com lost',
      'no answer from eapi.pcloud.com in time',
      'pCloud error 5000 from eapi.pcloud.com',
      'rate limited by eapi.pcloud.com (pCloud error 4000)',
    ]);
    expect(reasons.join(' ')).not.toMatch(/secret|server text/);
  });
});
