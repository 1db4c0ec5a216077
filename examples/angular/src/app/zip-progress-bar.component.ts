import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { type ZipJob, ZipJobsService } from './zip-jobs.service';

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

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One zip job: a progress bar with files, percent, rate and ETA, the outcome once it ends, and a
 * Cancel button while it runs.
 *
 * @example
 * ```html
 * @for (job of zips.jobs(); track job.id) {
 *   <app-zip-progress-bar [job]="job" />
 * }
 * ```
 */
@Component({
  selector: 'app-zip-progress-bar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: `
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; }
    progress { width: 100%; height: 0.75rem; }
    .stats { display: flex; gap: 1rem; color: #555; font-variant-numeric: tabular-nums; }
    [data-status='failed'] .outcome { color: #b00020; }
  `,
  template: `
    <div class="zip-job" [attr.data-status]="job().status">
      <div class="label">{{ job().label }}</div>
      <progress
        max="100"
        [attr.value]="percent()"
        aria-valuemin="0"
        aria-valuemax="100"
        [attr.aria-valuenow]="percent()"
        [attr.aria-label]="'Zip ' + job().label"
      ></progress>
      <div class="stats">
        <span class="files">{{ files() }}</span>
        <span class="percent">{{ percent() ?? 0 }}%</span>
        <span class="rate">{{ rate() }}</span>
        <span class="eta">{{ eta() }}</span>
      </div>
      <div class="outcome" role="status">{{ outcome() }}</div>
      @if (job().status === 'running') {
        <button type="button" class="cancel" (click)="cancel()">Cancel</button>
      }
    </div>
  `,
})
export class ZipProgressBarComponent {
  readonly #zips = inject(ZipJobsService);

  /** The job to show; bind it from `ZipJobsService.jobs()` (or `job(id)()`). */
  readonly job = input.required<ZipJob>();

  /** 0..100 (floored: 100 only when done); null while nothing is known (indeterminate bar). */
  protected readonly percent = computed((): number | null => {
    const { status, progress } = this.job();
    if (status === 'saved') return 100;
    return progress === undefined ? null : Math.floor(progress.fraction * 100);
  });

  protected readonly files = computed(() => {
    const { progress } = this.job();
    return progress === undefined ? '– files' : `${progress.files} / ${progress.totalfiles} files`;
  });

  protected readonly rate = computed(() => {
    const rate = this.job().progress?.bytesPerSecond;
    return rate === undefined ? '– /s' : `${formatBytes(Math.round(rate))}/s`;
  });

  protected readonly eta = computed(() => {
    const { status, progress } = this.job();
    if (status !== 'running') return '';
    const eta = progress?.etaMs;
    return eta === undefined ? 'ETA –' : `ETA ${formatDuration(eta)}`;
  });

  protected readonly outcome = computed(() => {
    const job = this.job();
    switch (job.status) {
      case 'running':
        return 'Zipping…';
      case 'saved':
        return job.metadata === undefined
          ? 'Saved'
          : `Saved ${job.metadata.path ?? job.metadata.name} (${formatBytes(job.metadata.size)})`;
      case 'failed':
        return `Failed: ${errorMessage(job.error)}`;
      case 'cancelled':
        return 'Cancelled';
    }
  });

  protected cancel(): void {
    this.#zips.cancel(this.job().id);
  }
}
