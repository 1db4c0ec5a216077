/**
 * Readable units for the web demo: pure functions, so the spec checks them without a browser.
 * Binary multiples (1 KB = 1024 bytes), as the terminal demo prints them.
 */
import type { PCloudApiError, TransportError, ZipProgress, ZipWaitEvent } from '../../lib/index.js';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** `512 B`, `8.0 KB`, `12.3 MB`: one decimal from KB on, three significant digits from 100 up. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit] ?? 'B'}`;
}

/** `850 KB/s`, or an em dash while the rate is unknown. */
export function formatRate(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? '—' : `${formatBytes(bytesPerSecond)}/s`;
}

/** `under 1 s`, `42 s`, `3 min 05 s`, `1 h 04 min`, or an em dash while unknown. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  // Rounded up: "0 s left" while the zip still runs would be a lie.
  const total = Math.ceil(Math.max(0, ms) / 1000);
  if (total < 1) return 'under 1 s';
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min ${String(total % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Floored, so "100%" appears only when the zip is done, never for 99.6%. */
export function formatPercent(fraction: number): string {
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

/** The texts of one progress snapshot, one per field of the page. */
export interface ProgressTexts {
  readonly percent: string;
  readonly files: string;
  readonly bytes: string;
  readonly rate: string;
  readonly eta: string;
}

/** Every text the page shows for a snapshot. */
export function progressTexts(p: ZipProgress): ProgressTexts {
  return {
    percent: formatPercent(p.fraction),
    files: `${p.files.toLocaleString('en-US')} of ${p.totalfiles.toLocaleString('en-US')}`,
    bytes: `${formatBytes(p.bytes)} of ${formatBytes(p.totalbytes)}`,
    rate: formatRate(p.bytesPerSecond),
    eta: p.done ? 'done' : formatDuration(p.etaMs),
  };
}

/**
 * Why a poll is retried, in a few words: the failure's kind and status or pCloud's code, never
 * the error's message (it may quote the server). `host` is the API host the polls go to.
 */
export function retryReason(error: PCloudApiError | TransportError, host: string): string {
  if (error.name === 'PCloudApiError') {
    // 4xxx: pCloud limits requests from this address (the library waits longer before retrying).
    const limited = error.code >= 4000 && error.code <= 4999 ? ' (rate limited)' : '';
    return `pCloud error ${error.code} from ${host}${limited}`;
  }
  switch (error.kind) {
    case 'http':
      return `HTTP ${error.status ?? 'error'} from ${host}`;
    case 'network':
      return `connection to ${host} lost`;
    case 'timeout':
      return `no answer from ${host} in time`;
    case 'redirect':
      return `redirect from ${host}`;
  }
}

/**
 * The status line of a wait, in three parts: `countdown` changes every second, so the page shows
 * it `aria-hidden`, and a screen reader hears `head` and `tail` (the reason and the attempt) once
 * per retry instead of every tick. Empty parts for a wait without a countdown.
 */
export interface WaitParts {
  readonly head: string;
  readonly countdown: string;
  readonly tail: string;
}

/** {@link waitText} in parts: `head + countdown + tail` is the whole line. */
export function waitParts(event: Exclude<ZipWaitEvent, { type: 'resumed' }>, remainingMs: number, host: string): WaitParts {
  switch (event.type) {
    case 'retrying': {
      const when = remainingMs > 0 ? `retrying in ${formatDuration(remainingMs)}` : 'retrying now';
      return { head: `Reconnecting… ${retryReason(event.error, host)}`, countdown: ` — ${when}`, tail: ` (attempt ${event.attempt} of ${event.maxRetries})` };
    }
    case 'waiting':
      return { head: 'Waiting for pCloud to register the zip…', countdown: '', tail: '' };
    case 'paused':
      return { head: 'Paused (tab hidden)', countdown: '', tail: '' };
  }
}

/**
 * The status line of a wait of the progress polling (`resumed` ends a wait: nothing to show).
 * `remainingMs` is what is left of a retry's `delayMs` now: the page calls this every second.
 *
 * @example
 * waitText({ type: 'retrying', error, attempt: 2, maxRetries: 5, delayMs: 12_000 }, 12_000, 'api.pcloud.com');
 * // 'Reconnecting… HTTP 503 from api.pcloud.com — retrying in 12 s (attempt 2 of 5)'
 */
export function waitText(event: Exclude<ZipWaitEvent, { type: 'resumed' }>, remainingMs: number, host: string): string {
  const { head, countdown, tail } = waitParts(event, remainingMs, host);
  return head + countdown + tail;
}
