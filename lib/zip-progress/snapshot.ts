/** The four counters `savezipprogress` reports. */
export interface ZipCounts {
  /** Files zipped so far. */
  readonly files: number;
  /** Files the zip will hold. */
  readonly totalfiles: number;
  /** Uncompressed bytes zipped so far. */
  readonly bytes: number;
  /** Uncompressed bytes of all the files. */
  readonly totalbytes: number;
}

/**
 * One progress snapshot, as emitted by `zipProgress$`: pCloud's counters plus what a progress
 * bar needs.
 */
export interface ZipProgress extends ZipCounts {
  /** 0..1: by bytes; by files when `totalbytes` is 0; 1 when both totals are 0 or when done. */
  readonly fraction: number;
  /** `files >= totalfiles`: pCloud's own definition of a finished zip. */
  readonly done: boolean;
  /** ms from subscription to this answer. */
  readonly elapsedMs: number;
  /** Average zipping rate since the first snapshot; undefined until bytes have moved. */
  readonly bytesPerSecond: number | undefined;
  /** Estimated ms until done at that rate; 0 when done; undefined until it can be estimated. */
  readonly etaMs: number | undefined;
}

/**
 * pCloud's rule: the job is ready once `files` equals `totalfiles` (0 of 0 included).
 *
 * @example
 * isZipDone({ files: 3, totalfiles: 3, bytes: 900, totalbytes: 900 }); // true
 * isZipDone({ files: 2, totalfiles: 3, bytes: 600, totalbytes: 900 }); // false
 */
export function isZipDone(counts: ZipCounts): boolean {
  return counts.files >= counts.totalfiles;
}

/** Whether two answers report the same counters (the only fields that make a change). */
export function sameCounts(a: ZipCounts, b: ZipCounts): boolean {
  return a.files === b.files && a.totalfiles === b.totalfiles && a.bytes === b.bytes && a.totalbytes === b.totalbytes;
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/**
 * Share of the work done, 0..1: by bytes (files differ wildly in size), by files when the byte
 * total is unknown (0), and 1 when there is nothing to do or the job is done.
 *
 * @example
 * ```ts
 * progressFraction({ files: 1, totalfiles: 4, bytes: 50, totalbytes: 200 }); // 0.25
 * ```
 */
export function progressFraction(counts: ZipCounts): number {
  if (isZipDone(counts)) return 1;
  if (counts.totalbytes > 0) return clamp01(counts.bytes / counts.totalbytes);
  if (counts.totalfiles > 0) return clamp01(counts.files / counts.totalfiles);
  return 1;
}
