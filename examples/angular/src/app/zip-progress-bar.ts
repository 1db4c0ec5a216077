import { ChangeDetectionStrategy, Component, computed, effect, input, output, signal } from '@angular/core';
import { takeWhile, timer } from 'rxjs';
import { describeError } from './error-hint';
import type { ZipJob, ZipJobWait } from './zip-jobs.service';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** 1536 -> '1.5 KB' (powers of 1024, as pCloud's own UI). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? String(value) : value.toFixed(1)} ${UNITS[unit] ?? 'B'}`;
}

/** 65_000 -> '1 min 5 s'; under a second -> '< 1 s'. */
export function formatDuration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (ms < 1000) return '< 1 s';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * The Reconnecting line in three parts: only `countdown` changes each second, so the card shows
 * it `aria-hidden` and a screen reader hears `head` and `tail` (the reason and the attempt) once
 * per retry, not every tick.
 */
export interface ReconnectingParts {
  readonly head: string;
  readonly countdown: string;
  readonly tail: string;
}

/** {@link reconnectingText} in parts: `head + countdown + tail` is the whole line. */
export function reconnectingParts(wait: ZipJobWait, nowMs: number): ReconnectingParts {
  const left = Math.ceil((wait.retryAt - nowMs) / 1000);
  const when = left > 0 ? `retrying in ${formatDuration(left * 1000)}` : 'retrying now';
  return { head: `Reconnecting… ${wait.reason}`, countdown: ` — ${when}`, tail: ` (attempt ${wait.attempt} of ${wait.maxRetries})` };
}

/**
 * `Reconnecting… HTTP 503 from api.pcloud.com — retrying in 12 s (attempt 2 of 5)`, `nowMs` being
 * the clock's time: the seconds left are rounded up, and 0 reads "retrying now".
 */
export function reconnectingText(wait: ZipJobWait, nowMs: number): string {
  const { head, countdown, tail } = reconnectingParts(wait, nowMs);
  return head + countdown + tail;
}

const STATUS_LABELS = { running: 'Zipping', saved: 'Saved', failed: 'Failed', cancelled: 'Cancelled' } as const;

/**
 * One zip job: a progress bar with files, bytes, percent, rate and ETA, the outcome once it
 * ends (with a hint when it failed), and a Cancel button while it runs. The card only shows a
 * job: its Cancel button emits `cancel` with the job's id, and the parent decides what to do.
 *
 * @example
 * ```html
 * @for (job of zips.jobs(); track job.id) {
 *   <app-zip-progress-bar [job]="job" (cancel)="zips.cancel($event)" />
 * }
 * ```
 */
@Component({
  selector: 'app-zip-progress-bar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: `
    :host { display: block; }
    .zip-job { display: grid; gap: 0.5rem; padding: 1rem 1.25rem; border: 1px solid var(--line, #e3e8ef); border-radius: 12px; background: var(--card, #fff); }
    .head { display: flex; align-items: center; gap: 0.75rem; min-width: 0; }
    .label { flex: 1; min-width: 0; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .chip { flex: none; font-size: 0.75rem; font-weight: 600; padding: 0.15rem 0.6rem; border-radius: 999px; background: #e8f1fd; color: #1662c4; }
    [data-status='saved'] .chip { background: #e4f6ea; color: #17803d; }
    [data-status='failed'] .chip { background: #fdeaea; color: #b42318; }
    [data-status='cancelled'] .chip { background: #eef0f3; color: #4b5563; }
    [data-wait='reconnecting'] .chip { background: #fff4e5; color: #b54708; }
    [data-wait='reconnecting'] .outcome { color: #b54708; }
    progress { appearance: none; -webkit-appearance: none; width: 100%; height: 0.6rem; border: 0; border-radius: 999px; background: #edf0f4; overflow: hidden; }
    progress::-webkit-progress-bar { background: #edf0f4; border-radius: 999px; }
    progress::-webkit-progress-value { background: linear-gradient(90deg, #17bed0, #1662c4); border-radius: 999px; transition: width 0.3s ease; }
    progress::-moz-progress-bar { background: linear-gradient(90deg, #17bed0, #1662c4); border-radius: 999px; }
    [data-status='saved'] progress::-webkit-progress-value { background: #22a355; }
    [data-status='failed'] progress::-webkit-progress-value { background: #d92d20; }
    [data-status='cancelled'] progress::-webkit-progress-value { background: #9aa4b2; }
    .stats { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; color: var(--muted, #5b6574); font-size: 0.875rem; font-variant-numeric: tabular-nums; }
    .percent { font-weight: 600; color: var(--text, #111827); }
    .foot { display: flex; align-items: center; gap: 0.75rem; }
    .outcome { flex: 1; min-width: 0; font-size: 0.875rem; overflow-wrap: anywhere; }
    [data-status='failed'] .outcome { color: #b42318; }
    [data-status='saved'] .outcome { color: #17803d; }
    .hint { margin: 0; font-size: 0.875rem; color: var(--text, #111827); background: #fff7e6; border: 1px solid #f5d79e; border-radius: 8px; padding: 0.5rem 0.75rem; }
    button.cancel { flex: none; font: inherit; font-size: 0.875rem; padding: 0.35rem 0.9rem; border-radius: 8px; border: 1px solid #d0d5dd; background: #fff; color: #344054; cursor: pointer; }
    button.cancel:hover { background: #f9fafb; border-color: #98a2b3; }
  `,
  template: `
    <div class="zip-job" [attr.data-status]="job().status" [attr.data-wait]="reconnecting()?.state ?? null">
      <div class="head">
        <span class="label" [title]="job().label">{{ job().label }}</span>
        <span class="chip">{{ statusLabel() }}</span>
      </div>
      <!-- max and value are the element's own: no aria-valuemax or aria-valuemin beside them (W3C
           ARIA in HTML), nor an aria-valuenow that would repeat value. -->
      <progress max="100" [attr.value]="percent()" [attr.aria-valuetext]="valueText()" [attr.aria-label]="'Zip ' + job().label"></progress>
      @if (showStats()) {
        <div class="stats">
          <span class="percent">{{ percent() ?? 0 }}%</span>
          <span class="files">{{ files() }}</span>
          <span class="bytes">{{ bytes() }}</span>
          <span class="rate">{{ rate() }}</span>
          <span class="eta">{{ eta() }}</span>
        </div>
      }
      <div class="foot">
        <!-- A polite live region: while reconnecting, its countdown is aria-hidden, so a screen
             reader announces the reason and the attempt once per retry, not every second. -->
        <div class="outcome" role="status" aria-live="polite">
          @if (reconnectingLine(); as line) {
            <span>{{ line.head }}</span><span class="countdown" aria-hidden="true">{{ line.countdown }}</span><span>{{ line.tail }}</span>
          } @else {
            <!-- In an element: a bare text here would keep a space at each end. -->
            <span>{{ outcome() }}</span>
          }
        </div>
        @if (job().status === 'running') {
          <button type="button" class="cancel" (click)="cancel.emit(job().id)">Cancel</button>
        }
      </div>
      @if (hint()) {
        <p class="hint">{{ hint() }}</p>
      }
    </div>
  `,
})
export class ZipProgressBar {
  /** The job to show; bind it from `ZipJobsService.jobs()` (or `job(id)()`). */
  readonly job = input.required<ZipJob>();

  /**
   * The Cancel button was pressed: the job's id (e.g. for `ZipJobsService.cancel`). The DOM has a
   * `cancel` event too (dialogs, file inputs), which `(cancel)` on this element would also catch:
   * the card contains neither, so keep it that way.
   */
  readonly cancel = output<string>();

  protected readonly statusLabel = computed(() => (this.reconnecting() === undefined ? STATUS_LABELS[this.job().status] : 'Reconnecting'));

  /** The wait before a retry, while the job runs: the card says why and counts down. */
  protected readonly reconnecting = computed(() => {
    const { status, wait } = this.job();
    return status === 'running' ? wait : undefined;
  });

  /** The clock the countdown reads; ticks only while reconnecting. */
  readonly #now = signal(Date.now());

  constructor() {
    // While a retry is due: tick each time the seconds shown change (retryAt - now, rounded up),
    // until it is due. The cleanup stops the timer when the wait ends or the card goes.
    effect((onCleanup) => {
      const wait = this.reconnecting();
      if (wait === undefined) return;
      const tick = (): void => {
        this.#now.set(Date.now());
      };
      tick();
      const first = Math.max(0, wait.retryAt - Date.now()) % 1000;
      const ticks = timer(first, 1000)
        .pipe(takeWhile(() => Date.now() < wait.retryAt, true))
        .subscribe(tick);
      onCleanup(() => {
        ticks.unsubscribe();
      });
    });
  }

  /**
   * 0..100 (floored: 100 only when done). Null, an animated indeterminate bar, only while a job
   * runs and nothing is known yet: a job that ended before any progress shows a still bar.
   */
  protected readonly percent = computed((): number | null => {
    const { status, progress } = this.job();
    if (status === 'saved') return 100;
    if (progress === undefined) return status === 'running' ? null : 0;
    return Math.floor(progress.fraction * 100);
  });

  /**
   * What a screen reader says for the bar: '3 of 5 files, 40%' (the percent alone says little
   * about a long job); nothing while the bar is indeterminate, which says "busy" by itself.
   */
  protected readonly valueText = computed((): string | null => {
    const percent = this.percent();
    if (percent === null) return null;
    const { progress } = this.job();
    return progress === undefined ? `${percent}%` : `${progress.files} of ${progress.totalfiles} files, ${percent}%`;
  });

  /** Figures while a job runs or once it had progress; a job that never started shows none. */
  protected readonly showStats = computed(() => this.job().status === 'running' || this.job().progress !== undefined);

  protected readonly files = computed(() => {
    const { progress } = this.job();
    return progress === undefined ? '– files' : `${progress.files} / ${progress.totalfiles} files`;
  });

  protected readonly bytes = computed(() => {
    const { progress } = this.job();
    return progress === undefined ? '' : `${formatBytes(progress.bytes)} of ${formatBytes(progress.totalbytes)}`;
  });

  protected readonly rate = computed(() => {
    const { status, progress } = this.job();
    const rate = progress?.bytesPerSecond;
    if (rate === undefined) return status === 'running' ? '– /s' : '';
    return `${formatBytes(Math.round(rate))}/s`;
  });

  protected readonly eta = computed(() => {
    const { status, progress } = this.job();
    if (status !== 'running') return '';
    // While reconnecting nobody knows: the last ETA goes stale by the whole wait. The answer
    // that ends the wait brings a fresh one (the library re-reads it even if nothing moved).
    const eta = this.reconnecting() === undefined ? progress?.etaMs : undefined;
    return eta === undefined ? 'ETA –' : `ETA ${formatDuration(eta)}`;
  });

  /** The Reconnecting line in parts while a retry waits (the outcome line shows it instead). */
  protected readonly reconnectingLine = computed(() => {
    const wait = this.reconnecting();
    return wait === undefined ? undefined : reconnectingParts(wait, this.#now());
  });

  protected readonly outcome = computed(() => {
    const job = this.job();
    switch (job.status) {
      case 'running': {
        const wait = this.reconnecting();
        return wait === undefined ? 'Zipping…' : reconnectingText(wait, this.#now());
      }
      case 'saved':
        return job.metadata === undefined
          ? 'Saved'
          : `Saved ${job.metadata.path ?? job.metadata.name} (${formatBytes(job.metadata.size)})`;
      case 'failed':
        return `Failed: ${describeError(job.error).message}`;
      case 'cancelled':
        return 'Cancelled';
    }
  });

  protected readonly hint = computed(() => {
    const job = this.job();
    return job.status === 'failed' ? describeError(job.error).hint : '';
  });
}
