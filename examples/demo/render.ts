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

/** ETA as m:ss, or '?' while unknown. */
export function formatEta(ms: number | undefined): string {
  if (ms === undefined) return '?';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Transfer rate per second, or `unknown` while there is none. */
function rateText(bytesPerSecond: number | undefined, unknown: string): string {
  return bytesPerSecond === undefined ? unknown : `${formatBytes(bytesPerSecond)}/s`;
}

/** One line describing a snapshot (the non-TTY output, also the bar's payload). */
export function describe(p: ZipProgress): string {
  return `${(p.fraction * 100).toFixed(1)}% files ${p.files}/${p.totalfiles} bytes ${formatBytes(p.bytes)}/${formatBytes(p.totalbytes)} rate ${rateText(p.bytesPerSecond, '?')} eta ${formatEta(p.etaMs)}`;
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
  const bar = new cliProgress.SingleBar(
    {
      format: 'zipping [{bar}] {percentage}% | {files}/{totalfiles} files | {bytesText} | {rate} | ETA {eta_text}',
      hideCursor: true,
      stream,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p) => {
      const payload = {
        files: p.files,
        totalfiles: p.totalfiles,
        bytesText: `${formatBytes(p.bytes)}/${formatBytes(p.totalbytes)}`,
        rate: rateText(p.bytesPerSecond, '?/s'),
        eta_text: formatEta(p.etaMs),
      };
      const value = Math.round(p.fraction * 1000);
      if (!started) {
        bar.start(1000, value, payload);
        started = true;
      } else bar.update(value, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
