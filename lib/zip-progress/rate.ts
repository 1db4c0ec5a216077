import type { ZipCounts } from './snapshot.js';
import { isZipDone } from './snapshot.js';

/** A counter reading at a moment (ms on the poller's clock). */
export interface ProgressSample {
  /** When the reading was taken, in ms on the poller's clock. */
  readonly atMs: number;
  /** Files zipped so far. */
  readonly files: number;
  /** Uncompressed bytes zipped so far. */
  readonly bytes: number;
}

/** Rate and time-to-go estimated from two samples. */
export interface RateEstimate {
  /** Average zipping rate between the samples; undefined until bytes have moved. */
  readonly bytesPerSecond: number | undefined;
  /** Estimated ms until done at that rate; 0 when done; undefined when it cannot be estimated. */
  readonly etaMs: number | undefined;
}

/**
 * Average rate between the first sample seen and the current answer, and the time left at that
 * rate. The average over the whole observation is what an honest ETA needs: zipping moves in
 * per-file steps, so the rate between two neighbouring answers swings wildly.
 * Remaining work is counted in bytes, or in files when the byte total is 0.
 *
 * @example
 * ```ts
 * estimateRate({ atMs: 0, files: 0, bytes: 0 }, 2000, { files: 5, totalfiles: 10, bytes: 1000, totalbytes: 4000 });
 * // { bytesPerSecond: 500, etaMs: 6000 }
 * ```
 */
export function estimateRate(first: ProgressSample, nowMs: number, counts: ZipCounts): RateEstimate {
  const dt = nowMs - first.atMs;
  const dBytes = counts.bytes - first.bytes;
  const dFiles = counts.files - first.files;
  const bytesPerSecond = dt > 0 && dBytes > 0 ? (dBytes / dt) * 1000 : undefined;
  let etaMs: number | undefined;
  if (isZipDone(counts)) etaMs = 0;
  else if (counts.totalbytes > 0) {
    if (bytesPerSecond !== undefined) etaMs = (Math.max(0, counts.totalbytes - counts.bytes) / bytesPerSecond) * 1000;
  } else if (dt > 0 && dFiles > 0) etaMs = (Math.max(0, counts.totalfiles - counts.files) * dt) / dFiles;
  return { bytesPerSecond, etaMs };
}
