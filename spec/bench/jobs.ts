/**
 * The simulated pCloud zip job: which file finishes when, and what `savezipprogress` answers at
 * any moment. Deterministic and cheap to query; the mixes (mixes.ts) decide the shapes.
 */

/** What `savezipprogress` answers: progress, or pCloud's 1901 for a job not registered yet. */
export type ProgressAnswer =
  | { readonly result: 0; readonly files: number; readonly totalfiles: number; readonly bytes: number; readonly totalbytes: number }
  | { readonly result: 1901; readonly error: 'Zip not found' };

/** Everything that makes one job: its files and what happens to it on the way. */
export interface JobShape {
  /** True duration in ms, from `savezip` to the last file finished. */
  readonly durationMs: number;
  /** Bytes of each file, in the order pCloud zips them (at least one, each >= 1). */
  readonly sizes: readonly number[];
  /** ms during which savezipprogress answers 1901 (0: registered at once). */
  readonly registerAtMs: number;
  /** ms without progress (0: none), starting once `stallAtShare` of the bytes are done. */
  readonly stallMs: number;
  readonly stallAtShare: number;
  /** Speed after the change over speed before (1: steady), from `changeAtShare` of the bytes on. */
  readonly speedChange: number;
  readonly changeAtShare: number;
}

/** One simulated zip job; time 0 is the `savezip` call, when the observer subscribes. */
export interface SimulatedJob {
  readonly id: number;
  readonly shape: JobShape;
  /** When the last file is zipped: the moment `files` reaches `totalfiles`. */
  readonly endMs: number;
  readonly totalfiles: number;
  readonly totalbytes: number;
  /** The savezipprogress body at `tMs`; counters move once per finished file. */
  answerAt(tMs: number): ProgressAnswer;
}

/** How many of an ascending array are <= t (binary search). */
function countAtOrBelow(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The moment each file finishes. Work runs at a base rate that changes by `speedChange` once
 * `changeAtShare` of the bytes are done; the stall starts once `stallAtShare` are done. The base
 * rate is chosen so the last file ends exactly at `durationMs`.
 */
function finishTimes(cumulative: readonly number[], shape: JobShape): number[] {
  const total = cumulative[cumulative.length - 1]!;
  const changeAt = total * shape.changeAtShare;
  const stallAt = total * shape.stallAtShare;
  const k = shape.speedChange;
  // Time at 1 byte/ms with the speed change, then scaled to fill the time that is not stalled.
  const rawTime = (b: number): number => (b <= changeAt ? b : changeAt + (b - changeAt) / k);
  const scale = (shape.durationMs - shape.stallMs) / rawTime(total);
  return cumulative.map((b) => rawTime(b) * scale + (shape.stallMs > 0 && b > stallAt ? shape.stallMs : 0));
}

/**
 * Builds the job of `shape`.
 *
 * @example
 * ```ts
 * const job = buildJob(0, { durationMs: 10_000, sizes: [9e9, 1e9], registerAtMs: 0, stallMs: 0, stallAtShare: 0, speedChange: 1, changeAtShare: 0 });
 * job.answerAt(5000); // { result: 0, files: 0, totalfiles: 2, bytes: 0, totalbytes: 1e10 }
 * ```
 */
export function buildJob(id: number, shape: JobShape): SimulatedJob {
  const cumulative: number[] = [];
  let sum = 0;
  for (const size of shape.sizes) cumulative.push((sum += size));
  const ends = finishTimes(cumulative, shape);
  const totalfiles = shape.sizes.length;
  const totalbytes = sum;
  return {
    id,
    shape,
    endMs: ends[totalfiles - 1]!,
    totalfiles,
    totalbytes,
    answerAt(tMs) {
      if (tMs < shape.registerAtMs) return { result: 1901, error: 'Zip not found' };
      const files = countAtOrBelow(ends, tMs);
      return { result: 0, files, totalfiles, bytes: files === 0 ? 0 : cumulative[files - 1]!, totalbytes };
    },
  };
}

/** Whole byte counts of `shares` of `totalbytes` (each >= 1), summing exactly to the total. */
export function splitBytes(totalbytes: number, shares: readonly number[]): number[] {
  const sum = shares.reduce((a, b) => a + b, 0);
  const sizes = shares.map((s) => Math.max(1, Math.floor((s / sum) * totalbytes)));
  // Rounding leftovers go to the largest file, so the sizes add up exactly.
  const largest = sizes.indexOf(Math.max(...sizes));
  sizes[largest]! += totalbytes - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}
