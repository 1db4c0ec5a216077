/**
 * Simulated pCloud zip jobs for the poll-efficiency benchmark: deterministic (seeded), cheap to
 * query at any moment, and shaped like the jobs that make polling hard: heavy-tailed file sizes
 * (a huge file first and last, many small ones between), late registration, stalls and mid-job
 * changes of speed.
 */

import { seededRandom } from '../../lib/testing/seeded-random.js';

/** A source of numbers in [0, 1), like `Math.random`. */
export type Random = () => number;

/** A number whose logarithm is uniform in [ln min, ln max]: every order of magnitude equally likely. */
function logUniform(random: Random, min: number, max: number): number {
  return min * (max / min) ** random();
}

const uniform = (random: Random, min: number, max: number): number => min + (max - min) * random();

/** What `savezipprogress` answers: progress, or pCloud's 1901 for a job not registered yet. */
type ProgressAnswer =
  | { readonly result: 0; readonly files: number; readonly totalfiles: number; readonly bytes: number; readonly totalbytes: number }
  | { readonly result: 1901; readonly error: 'Zip not found' };

/** Which of the hard cases a job was given (for notes and per-kind breakdowns). */
interface JobTraits {
  /** ms during which savezipprogress answers 1901 (0: registered at once). */
  readonly registerAtMs: number;
  /** ms without progress somewhere in the middle (0: none). */
  readonly stallMs: number;
  /** Speed after the change over speed before (1: steady). */
  readonly speedChange: number;
}

/** One simulated zip job; time 0 is the `savezip` call, when the observer subscribes. */
export interface SimulatedJob {
  readonly id: number;
  /** When the last file is zipped: the moment `files` reaches `totalfiles`. */
  readonly endMs: number;
  readonly totalfiles: number;
  readonly totalbytes: number;
  readonly traits: JobTraits;
  /** The savezipprogress body at `tMs`; counters move once per finished file. */
  answerAt(tMs: number): ProgressAnswer;
}

/** How jobs are drawn. */
interface JobMix {
  readonly count: number;
  readonly seed: number;
  /** Range of the true durations in ms (log-uniform). */
  readonly minDurationMs: number;
  readonly maxDurationMs: number;
}

/** The full benchmark: 300 jobs, 0.5 s .. 20 min. */
export const FULL_MIX: JobMix = { count: 300, seed: 20240611, minDurationMs: 500, maxDurationMs: 20 * 60_000 };
/**
 * The smoke run: 20 jobs of 0.5 s .. 10 min. Shorter than the full run, but not only seconds:
 * the default saves requests on jobs over a minute and spends more than fixed 2 s on short ones
 * (where fixed 2 s is late), so a mix of short jobs only could not compare the two.
 */
export const SMOKE_MIX: JobMix = { count: 20, seed: 7, minDurationMs: 500, maxDurationMs: 10 * 60_000 };

/**
 * File sizes summing to `totalbytes`: a huge first and last file, Pareto-distributed small ones
 * between (shape 1.1: a few of the "small" ones are large too). One file in ten jobs.
 */
function fileSizes(random: Random, totalbytes: number): number[] {
  if (random() < 0.1) return [totalbytes];
  const count = Math.max(3, Math.round(logUniform(random, 3, 500)));
  const firstShare = uniform(random, 0.1, 0.5);
  const lastShare = uniform(random, 0.1, 0.4);
  const middle = Array.from({ length: count - 2 }, () => (1 - random()) ** (-1 / 1.1));
  const middleSum = middle.reduce((a, b) => a + b, 0);
  const middleBytes = totalbytes * (1 - firstShare - lastShare);
  const shares = [totalbytes * firstShare, ...middle.map((m) => (m / middleSum) * middleBytes), totalbytes * lastShare];
  const sizes = shares.map((s) => Math.max(1, Math.floor(s)));
  // Rounding leftovers go to the first file, so the sizes add up exactly.
  sizes[0]! += totalbytes - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

/** Index of the first element of an ascending array above `t` (= how many are <= t). */
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
 * The moments each file finishes. Work runs at a base rate that changes by `speedChange` once
 * `changeAtBytes` are done; a stall of `stallMs` starts once `stallAtBytes` are done. The base
 * rate is chosen so the last file ends exactly at `durationMs`.
 */
function finishTimes(
  cumulative: readonly number[],
  durationMs: number,
  traits: JobTraits,
  changeAtBytes: number,
  stallAtBytes: number,
): number[] {
  const total = cumulative[cumulative.length - 1]!;
  const k = traits.speedChange;
  const workMs = durationMs - traits.stallMs;
  // Time at rate 1 byte/ms with the speed change, then scaled to fill workMs.
  const rawTime = (b: number): number => (b <= changeAtBytes ? b : changeAtBytes + (b - changeAtBytes) / k);
  const scale = workMs / rawTime(total);
  return cumulative.map((b) => rawTime(b) * scale + (b > stallAtBytes ? traits.stallMs : 0));
}

/** Draws one job. */
function makeJob(id: number, random: Random, mix: JobMix): SimulatedJob {
  const durationMs = logUniform(random, mix.minDurationMs, mix.maxDurationMs);
  const totalbytes = Math.round(logUniform(random, 1e6, 2e10));
  const sizes = fileSizes(random, totalbytes);
  const cumulative: number[] = [];
  sizes.reduce((sum, size) => {
    cumulative.push(sum + size);
    return sum + size;
  }, 0);
  // Registration comes well before the end and within pCloud's usual few seconds (notFoundGrace 15 s).
  const registerAtMs = random() < 0.2 ? Math.min(10_000, durationMs * uniform(random, 0.05, 0.4)) : 0;
  const stallMs = random() < 0.2 ? durationMs * uniform(random, 0.1, 0.4) : 0;
  const speedChange = random() < 0.25 ? logUniform(random, 0.25, 4) : 1;
  const traits: JobTraits = { registerAtMs, stallMs, speedChange };
  const ends = finishTimes(cumulative, durationMs, traits, totalbytes * uniform(random, 0.2, 0.8), totalbytes * uniform(random, 0.1, 0.9));
  const totalfiles = sizes.length;
  return {
    id,
    endMs: ends[totalfiles - 1]!,
    totalfiles,
    totalbytes,
    traits,
    answerAt(tMs) {
      if (tMs < registerAtMs) return { result: 1901, error: 'Zip not found' };
      const files = countAtOrBelow(ends, tMs);
      return { result: 0, files, totalfiles, bytes: files === 0 ? 0 : cumulative[files - 1]!, totalbytes };
    },
  };
}

/**
 * Draws `mix.count` jobs, always the same ones for the same mix.
 *
 * @example
 * ```ts
 * const [job] = generateJobs(SMOKE_MIX);
 * job!.answerAt(job!.endMs); // { result: 0, files: totalfiles, ... }
 * ```
 */
export function generateJobs(mix: JobMix): SimulatedJob[] {
  const random = seededRandom(mix.seed);
  return Array.from({ length: mix.count }, (_, id) => makeJob(id, random, mix));
}
