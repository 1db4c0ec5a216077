import { isZipDone, type ZipCounts } from './snapshot.js';

/**
 * Constants of the default stall rule ({@link allowedSilenceMs}).
 *
 * - `baseMs` (60 min): the silence any job may keep, whatever its size: one file's fixed costs
 *   (opening, metadata, a busy storage node) and the pauses a live server takes. A fixed 15 min
 *   (the old default) failed live jobs on every job mix of `npm run bench` (a server pausing
 *   for 10-40% of an hour-long job, a slow first file before any byte is counted); at 60 min
 *   the default schedule fails none of them. Pass `stallTimeout` for a shorter, fixed limit.
 * - `floorBytesPerSecond` (256 KiB/s): the slowest pace a live zip is assumed to keep. pCloud's
 *   zips run at MB/s to tens of MB/s (2.6 MB/s and 17 MB/s observed); the floor sits 10x below
 *   the slowest of those, so a slow server is not mistaken for a dead one.
 * - `slowdown` (10): how many times slower than its own observed average a job may go (a server
 *   that slows down mid-job, a big file after small cached ones).
 * - `minPaceBytesPerSecond` (1 KiB/s): the slowest pace ever assumed, however slow the observed
 *   rate (a few bytes over hours), so the allowance stays a sane, finite time.
 *
 * @example
 * ```ts
 * const oneGiBMs = (2 ** 30 / STALL_DEFAULTS.floorBytesPerSecond) * 1000; // 4 096 000 ms, about 68 min
 * ```
 */
export const STALL_DEFAULTS = {
  baseMs: 60 * 60_000,
  floorBytesPerSecond: 256 * 1024,
  slowdown: 10,
  minPaceBytesPerSecond: 1024,
} as const;

/** What the stall rule looks at: the counters at the last change and the rate observed then. */
export interface StallEvidence extends ZipCounts {
  /** Average rate from the first answer to this one; undefined until bytes have moved. */
  readonly bytesPerSecond: number | undefined;
}

/**
 * The default stall rule: how long (ms) the progress may stay unchanged after `last` (the
 * snapshot of the last change; undefined before any answer) before the job counts as dead.
 *
 * pCloud updates its counters once per zipped file, so a big file holds them still for as long
 * as it takes. The next change is due at the latest when the bytes left (`totalbytes - bytes`,
 * an upper bound of the file being zipped) are done, at the slowest pace a live job keeps:
 *
 *     allowed = max(baseMs, (totalbytes - bytes) / pace)
 *     pace    = max(minPaceBytesPerSecond, min(floorBytesPerSecond, observed / slowdown))
 *
 * (in whole ms) where `observed` is the average byte rate (when one exists). The observed rate can only
 * lengthen the allowance: it is overestimated when the first answer came in the middle of a
 * file, so it never shortens it below what the floor gives. Before any rate, `totalbytes` alone
 * decides (the floor). No answer yet, a finished job, `totalbytes` of 0 or bytes beyond the
 * total (progress going backwards or totals changing): `baseMs`. Always finite, so a dead job
 * ends in bounded time.
 *
 * @example
 * ```ts
 * const gib = 2 ** 30;
 * allowedSilenceMs({ files: 0, totalfiles: 1, bytes: 0, totalbytes: 30 * gib, bytesPerSecond: undefined });
 * // 122 880 000 ms (about 34 h): one 30 GiB file is not a stall
 * allowedSilenceMs({ files: 4, totalfiles: 5, bytes: 400, totalbytes: 500, bytesPerSecond: 100 });
 * // 3 600 000 ms (60 min): nothing explains a longer silence
 * ```
 */
export function allowedSilenceMs(last: StallEvidence | undefined): number {
  const { baseMs, floorBytesPerSecond, slowdown, minPaceBytesPerSecond } = STALL_DEFAULTS;
  if (last === undefined || isZipDone(last)) return baseMs;
  const left = last.totalbytes - last.bytes;
  if (!(left > 0)) return baseMs;
  const observed = last.bytesPerSecond ?? 0;
  const pace = observed > 0 ? Math.max(minPaceBytesPerSecond, Math.min(floorBytesPerSecond, observed / slowdown)) : floorBytesPerSecond;
  return Math.max(baseMs, Math.ceil((left / pace) * 1000));
}
