import cliProgress from 'cli-progress';
import type { ZipProgress } from '../../lib/index.js';

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

/** Where progress goes: a live bar on a terminal, plain lines elsewhere (logs, CI, pipes). */
export interface ProgressView {
  update(progress: ZipProgress): void;
  stop(): void;
}

/** Picks the view for this stream. */
export function progressView(stream: NodeJS.WriteStream): ProgressView {
  if (!stream.isTTY) {
    return {
      update: (p) => {
        stream.write(`progress ${describe(p)}\n`);
      },
      stop: () => undefined,
    };
  }
  const view = new cliProgress.SingleBar(
    {
      // Our own layout, fitted to the terminal's width at every redraw (it may be resized).
      format: (_options, params, payload: { progress?: ZipProgress }) => (payload.progress === undefined ? '' : progressLine(payload.progress, params.maxWidth)),
      hideCursor: true,
      stream,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p) => {
      const value = Math.round(p.fraction * 1000);
      if (!started) {
        view.start(1000, value, { progress: p });
        started = true;
      } else view.update(value, { progress: p });
    },
    stop: () => {
      if (started) view.stop();
    },
  };
}
