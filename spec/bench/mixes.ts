/**
 * The job mixes of the poll-efficiency bench. Each mix is one idea of what a user's zip jobs look
 * like, drawn from seeds; the default schedule is judged on its worst (mix, seed), so a mix it
 * was tuned on cannot hide one it was not. All durations lie in 0.5 s .. 60 min.
 */
import { buildJob, type JobShape, type SimulatedJob, splitBytes } from './jobs.js';
import { chance, logUniform, pareto, pick, type Random, seededRandom, subSeed, uniform } from './random.js';

/** How one mix draws its jobs. */
export interface JobMix {
  /** Short key for tables and charts. */
  readonly key: string;
  /** One line saying what the mix is. */
  readonly description: string;
  /** Seeds of the full run; each seed is a separate sample, judged on its own. */
  readonly seeds: readonly number[];
  /** Jobs per seed in a full run and in the smoke run. */
  readonly count: number;
  readonly smokeCount: number;
  /** One job's shape. */
  readonly draw: (random: Random) => JobShape;
}

const MIN_DURATION_MS = 500;
const MAX_DURATION_MS = 60 * 60_000;

/** No stall, no late registration, steady speed: the parts a mix overrides. */
const STEADY = { registerAtMs: 0, stallMs: 0, stallAtShare: 0, speedChange: 1, changeAtShare: 0 } as const;

/** Registration within pCloud's usual few seconds and well before the end (notFoundGrace is 15 s). */
const lateRegistration = (random: Random, durationMs: number): number => Math.min(10_000, durationMs * uniform(random, 0.05, 0.4));

/**
 * "mixed": the original bench mix. One file in ten jobs; otherwise a huge first and last file
 * (10-50% and 10-40% of the bytes) and 1 to 498 Pareto-sized files between (shape 1.1: a few of
 * the small ones are large too). 20% register late, 20% stall for 10-40% of the job, 25% change
 * speed x0.25 .. x4 somewhere between 20% and 80% of the bytes. Durations log-uniform.
 */
export const MIXED: JobMix = {
  key: 'mixed',
  description: 'one file in ten jobs, else a huge first and last file and Pareto files between; late registration, stalls, speed changes x0.25..x4',
  seeds: [20240611, 11, 12],
  count: 100,
  smokeCount: 6,
  draw(random) {
    const durationMs = logUniform(random, MIN_DURATION_MS, MAX_DURATION_MS);
    const totalbytes = Math.round(logUniform(random, 1e6, 2e10));
    let shares: number[];
    if (chance(random, 0.1)) {
      shares = [1];
    } else {
      const count = Math.max(3, Math.round(logUniform(random, 3, 500)));
      const first = uniform(random, 0.1, 0.5);
      const last = uniform(random, 0.1, 0.4);
      const middle = Array.from({ length: count - 2 }, () => pareto(random, 1.1));
      const middleSum = middle.reduce((a, b) => a + b, 0);
      shares = [first, ...middle.map((m) => (m / middleSum) * (1 - first - last)), last];
    }
    const registerAtMs = chance(random, 0.2) ? lateRegistration(random, durationMs) : 0;
    const stalled = chance(random, 0.2);
    const stallMs = stalled ? durationMs * uniform(random, 0.1, 0.4) : 0;
    const speedChange = chance(random, 0.25) ? logUniform(random, 0.25, 4) : 1;
    return {
      durationMs,
      sizes: splitBytes(totalbytes, shares),
      registerAtMs,
      stallMs,
      stallAtShare: uniform(random, 0.1, 0.9),
      speedChange,
      changeAtShare: uniform(random, 0.2, 0.8),
    };
  },
};

/**
 * "few big files": the jobs that trip a schedule reading per-file counters. 1 to 6 files, one of
 * them 70-98% of the bytes and zipped first or last, so the counters stand still for most of the
 * job and then jump. Half the jobs are short (1-60 s), the rest 0.5 s .. 60 min. Half of them
 * change speed at half-way by x0.3 or x3 (a cache turning cold or warm), 10% register late.
 */
export const FEW_BIG_FILES: JobMix = {
  key: 'few-big',
  description: '1-6 files, one of them 70-98% of the bytes, first or last; half 1-60 s; half change speed x0.3 or x3 at half-way',
  seeds: [31, 32, 33],
  count: 100,
  smokeCount: 6,
  draw(random) {
    const durationMs = chance(random, 0.5) ? logUniform(random, 1000, 60_000) : logUniform(random, MIN_DURATION_MS, MAX_DURATION_MS);
    const totalbytes = Math.round(logUniform(random, 1e8, 5e10));
    const count = 1 + Math.floor(random() * 6);
    const big = uniform(random, 0.7, 0.98);
    const small = Array.from({ length: count - 1 }, () => uniform(random, 0.2, 1));
    const smallSum = small.reduce((a, b) => a + b, 0);
    const rest = small.map((s) => (s / smallSum) * (1 - big));
    const shares = count === 1 ? [1] : chance(random, 0.5) ? [big, ...rest] : [...rest, big];
    const registerAtMs = chance(random, 0.1) ? lateRegistration(random, durationMs) : 0;
    const speedChange = chance(random, 0.5) ? pick(random, [0.3, 3]) : 1;
    return { ...STEADY, durationMs, sizes: splitBytes(totalbytes, shares), registerAtMs, speedChange, changeAtShare: 0.5 };
  },
};

/**
 * "many tiny files": photo folders and source trees. 200 to 20,000 files of log-normal-ish sizes
 * (a factor of ~10 between small and large), so the counters move many times a second on a
 * short job and the byte rate is known early. 10% register late, 10% stall for 10-40% of the
 * job, 20% change speed x0.5 .. x2.
 */
export const MANY_TINY_FILES: JobMix = {
  key: 'many-tiny',
  description: '200-20,000 similar small files; 10% late registration, 10% stall, 20% speed change x0.5..x2',
  seeds: [51, 52, 53],
  count: 100,
  smokeCount: 6,
  draw(random) {
    const durationMs = logUniform(random, MIN_DURATION_MS, MAX_DURATION_MS);
    const count = Math.round(logUniform(random, 200, 20_000));
    const shares = Array.from({ length: count }, () => logUniform(random, 1, 10));
    const totalbytes = Math.round(count * logUniform(random, 2e4, 5e6));
    const registerAtMs = chance(random, 0.1) ? lateRegistration(random, durationMs) : 0;
    const stallMs = chance(random, 0.1) ? durationMs * uniform(random, 0.1, 0.4) : 0;
    const speedChange = chance(random, 0.2) ? logUniform(random, 0.5, 2) : 1;
    return {
      durationMs,
      sizes: splitBytes(totalbytes, shares),
      registerAtMs,
      stallMs,
      stallAtShare: uniform(random, 0.1, 0.9),
      speedChange,
      changeAtShare: uniform(random, 0.2, 0.8),
    };
  },
};

/** Every mix, in the order they are printed. */
export const MIXES: readonly JobMix[] = [MIXED, FEW_BIG_FILES, MANY_TINY_FILES];

/**
 * The jobs of one (mix, seed): always the same ones. Each job draws from its own sub-seed, so a
 * change in one job's draws does not shift the others.
 *
 * @example
 * ```ts
 * const jobs = generateJobs(FEW_BIG_FILES, 31, 100);
 * ```
 */
export function generateJobs(mix: JobMix, seed: number, count: number): SimulatedJob[] {
  return Array.from({ length: count }, (_, id) => buildJob(id, mix.draw(seededRandom(subSeed(seed, id)))));
}
