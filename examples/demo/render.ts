import cliProgress from 'cli-progress';
import { PCloudApiError, TransportError, type ZipProgress, type ZipWaitEvent } from '../../lib/index.js';

/** Human-readable bytes. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit] ?? 'B'}`;
}

/** A count with thousands separators, the same on every machine (`1,024`). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A duration as `45s`, `1m 05s` or `2h 03m`; `?` while unknown. */
export function formatEta(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Transfer rate per second, or `?/s` while there is none. */
function rateText(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? '?/s' : `${formatBytes(bytesPerSecond)}/s`;
}

/** One line describing a snapshot (the output when stdout is not a terminal). */
export function describe(p: ZipProgress): string {
  return `${(p.fraction * 100).toFixed(1)}% files ${p.files}/${p.totalfiles} bytes ${formatBytes(p.bytes)}/${formatBytes(p.totalbytes)} rate ${rateText(p.bytesPerSecond)} eta ${formatEta(p.etaMs)}`;
}

/** The bar never grows past this many cells, nor shrinks below the minimum (then it goes). */
const BAR_MAX = 30;
const BAR_MIN = 8;

function bar(fraction: number, cells: number): string {
  const full = Math.min(cells, Math.max(0, Math.floor(fraction * cells)));
  return '█'.repeat(full) + '░'.repeat(cells - full);
}

/** `done/total`, the done part padded to the total's width so that the line does not jitter. */
function ofTotal(done: string, total: string): string {
  return `${done.padStart(total.length)}/${total}`;
}

/**
 * The live line for a terminal `columns` wide, at most `columns - 1` characters (writing the
 * last column makes some terminals wrap), e.g.
 * ` 63% ████████████░░░░░░░░   512/1,024 files  1.2 GB/2.0 GB   24.5 MB/s  ETA 1m 05s`.
 * Fields are padded to steady widths, so the bar keeps its size while the numbers change. Room
 * is made by shrinking the bar first, then by single spaces and no `files` word, then by
 * dropping the bar; the numbers are cut at the end only on a terminal too narrow for them.
 */
export function progressLine(p: ZipProgress, columns: number): string {
  const width = Math.max(1, columns - 1);
  const percent = `${Math.floor(p.fraction * 100)}%`.padStart(4);
  const counts = ofTotal(formatCount(p.files), formatCount(p.totalfiles));
  const bytes = ofTotal(formatBytes(p.bytes), formatBytes(p.totalbytes));
  const rate = rateText(p.bytesPerSecond).padStart(10);
  // Padded for the bar's size, trimmed from the line's end.
  const eta = `ETA ${formatEta(p.etaMs)}`.padEnd(10);
  const layouts = [
    [`${counts} files`, bytes, rate, eta].join('  '),
    [counts, bytes, rate.trimStart(), eta].join(' '),
  ];
  for (const text of layouts) {
    const room = width - percent.length - text.length - 2;
    if (room >= BAR_MIN) return `${percent} ${bar(p.fraction, Math.min(BAR_MAX, room))} ${text}`.trimEnd();
  }
  return `${percent} ${layouts[1] ?? ''}`.trimEnd().slice(0, width);
}

/** pCloud's own grouping of a result code, in two words (4xxx and 5xxx are the retried ones). */
function codeCategory(code: number): string | undefined {
  if (code >= 4000 && code <= 4999) return 'rate limited';
  if (code >= 5000 && code <= 5999) return 'server error';
  if (code >= 1900 && code <= 1999) return 'not ready';
  return undefined;
}

/**
 * Why a poll failed, in a few words: never the error's message, which may hold server text.
 * E.g. `HTTP 503`, `connection lost`, `pCloud error 4000 (rate limited)`.
 */
export function failureReason(error: PCloudApiError | TransportError): string {
  if (PCloudApiError.is(error)) {
    const category = codeCategory(error.code);
    return category === undefined ? `pCloud error ${error.code}` : `pCloud error ${error.code} (${category})`;
  }
  const status = error.status === undefined ? '' : ` ${error.status}`;
  switch (error.kind) {
    case 'http':
      return `HTTP${status}`;
    case 'network':
      return 'connection lost';
    case 'timeout':
      return 'no answer in time';
    case 'redirect':
      return `HTTP${status} redirect`;
  }
}

/** Whole seconds left, rounded up: a wait of 0.4 s still says `1 s`, never `0 s` before it ends. */
function secondsLeft(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

/**
 * The line that stands for the bar while polling waits, `remainingMs` before the next poll
 * (default: the whole wait), e.g.
 * `retrying in 12 s: HTTP 503 from api7.pcloud.com (attempt 2 of 5)`. `host` is where the
 * failed request went; undefined leaves ` from ...` out (a narrow terminal).
 */
export function waitLine(event: ZipWaitEvent, host: string | undefined, remainingMs?: number): string {
  switch (event.type) {
    case 'retrying': {
      const s = secondsLeft(remainingMs ?? event.delayMs);
      const when = s === 0 ? 'retrying now' : `retrying in ${s} s`;
      return `${when}: ${failureReason(event.error)}${host === undefined ? '' : ` from ${host}`} (attempt ${event.attempt} of ${event.maxRetries})`;
    }
    case 'waiting': {
      const s = secondsLeft(remainingMs ?? event.delayMs);
      return `waiting for pCloud to register the zip (${s === 0 ? 'checking now' : `next check in ${s} s`})`;
    }
    case 'paused':
      return 'paused (no checks until resumed)';
    case 'resumed':
      return 'resumed';
  }
}

/**
 * The wait line for a terminal `columns` wide, at most `columns - 1` characters like
 * {@link progressLine}: without the host when the whole line does not fit (the attempt count
 * matters more), cut at the end only when even that does not fit.
 */
export function waitLineFor(event: ZipWaitEvent, host: string, remainingMs: number, columns: number): string {
  const width = Math.max(1, columns - 1);
  const full = waitLine(event, host, remainingMs);
  return full.length <= width ? full : waitLine(event, undefined, remainingMs).slice(0, width);
}

/** Where progress goes: a live bar on a terminal, plain lines elsewhere (logs, CI, pipes). */
export interface ProgressView {
  update(progress: ZipProgress): void;
  /** Polling waits: say why, in place of the bar until the next update. */
  wait(event: ZipWaitEvent, host: string): void;
  stop(): void;
}

/** What the bar's line shows: the progress, or a wait line in its place. */
interface BarPayload {
  progress?: ZipProgress;
  wait?: { event: ZipWaitEvent; host: string; remainingMs: number };
}

/** Picks the view for this stream. */
export function progressView(stream: NodeJS.WriteStream): ProgressView {
  if (!stream.isTTY) {
    // One line per event: a countdown would flood a log.
    return {
      update: (p) => {
        stream.write(`progress ${describe(p)}\n`);
      },
      wait: (event, host) => {
        stream.write(`${waitLine(event, host)}\n`);
      },
      stop: () => undefined,
    };
  }
  const view = new cliProgress.SingleBar(
    {
      // Our own layout, fitted to the terminal's width at every redraw (it may be resized). A
      // wait line takes the bar's place, so the terminal never gets a stray line.
      format: (_options, params, payload: BarPayload) => {
        if (payload.wait !== undefined) return waitLineFor(payload.wait.event, payload.wait.host, payload.wait.remainingMs, params.maxWidth);
        return payload.progress === undefined ? '' : progressLine(payload.progress, params.maxWidth);
      },
      hideCursor: true,
      stream,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  /** The countdown of the current wait; cleared by the next event and by stop(). */
  let ticker: ReturnType<typeof setInterval> | undefined;
  const stopTicker = (): void => {
    if (ticker !== undefined) clearInterval(ticker);
    ticker = undefined;
  };
  const show = (payload: BarPayload, value = 0): void => {
    if (!started) {
      view.start(1000, value, payload);
      started = true;
    } else if (payload.progress === undefined) view.update(payload);
    else view.update(value, payload);
  };
  return {
    update: (p) => {
      stopTicker();
      show({ progress: p, wait: undefined }, Math.round(p.fraction * 1000));
    },
    wait: (event, host) => {
      stopTicker();
      const delayMs = event.type === 'retrying' || event.type === 'waiting' ? event.delayMs : 0;
      show({ wait: { event, host, remainingMs: delayMs } });
      if (delayMs === 0) return;
      const endsAt = Date.now() + delayMs;
      ticker = setInterval(() => {
        const remainingMs = endsAt - Date.now();
        show({ wait: { event, host, remainingMs } });
        if (remainingMs <= 0) stopTicker();
      }, 1000);
    },
    stop: () => {
      stopTicker();
      if (started) view.stop();
    },
  };
}
