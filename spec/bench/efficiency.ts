/**
 * Bench section "Poll efficiency": the default schedule against a sweep of its main knob, an
 * elapsed-share baseline and the schedules of other pollers, all run through `zipProgress$`
 * itself on the same simulated jobs (several mixes, several seeds each), in fake time. The
 * default is judged on its worst (mix, seed).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ADAPTIVE_DEFAULTS } from '../../lib/zip-progress/adaptive-backoff.js';
import { lagChart, tradeOffChart } from './charts.js';
import { LATENCY, heavyTailedLatency } from './latency.js';
import { generateJobs, type JobMix, MIXES } from './mixes.js';
import { seededRandom, subSeed } from './random.js';
import type { BenchOptions, BenchSection } from './section.js';
import { percentile } from './stats.js';
import { DEFAULT_NAME, elapsedShareName, FIXED_2S_NAME, type Strategy, strategies } from './strategies.js';
import { type JobOutcome, type Network, simulateJob } from './simulate.js';
import { replayJob } from './model.js';
import type { SimulatedJob } from './jobs.js';
import type { Backoff } from '../../lib/index.js';
import { STALL_DEFAULTS } from '../../lib/zip-progress/stall.js';

/** The targets for the default schedule, on every (mix, seed). */
export const TARGETS = { failed: 0, onTimeShare: 0.95, lagP50Ms: 250, longestGapMs: 5000, requestsVsFixed2s: 0.6 } as const;

/** Figures of one schedule over a set of jobs. */
export interface Summary {
  readonly jobs: number;
  readonly meanRequests: number;
  readonly lagP50: number;
  readonly lagP95: number;
  readonly onTimeShare: number;
  readonly longestGapMs: number;
  readonly failed: number;
}

/** Pure summary of outcomes. */
export function summarize(outcomes: readonly JobOutcome[]): Summary {
  const lags = outcomes.map((o) => o.lagMs);
  const n = Math.max(1, outcomes.length);
  return {
    jobs: outcomes.length,
    meanRequests: outcomes.reduce((sum, o) => sum + o.requests, 0) / n,
    lagP50: percentile(lags, 0.5),
    lagP95: percentile(lags, 0.95),
    onTimeShare: outcomes.filter((o) => o.onTime).length / n,
    longestGapMs: Math.max(0, ...outcomes.map((o) => o.longestGapMs)),
    failed: outcomes.filter((o) => o.failure !== undefined).length,
  };
}

/** The outcomes of every schedule on one (mix, seed), in the order of the strategies. */
export interface SeedRun {
  readonly mix: JobMix;
  readonly seed: number;
  readonly outcomes: ReadonlyMap<string, readonly JobOutcome[]>;
}

/**
 * A fixed stall limit of 15 min (the old default), replayed for information only: how many jobs
 * a limit blind to the job would fail, against the default rule (judged from the bytes left).
 */
const FIXED_STALL_MS = 15 * 60_000;

/** The network of one job: the same latencies for every schedule (and both engines). */
const networkOf = (seed: number, job: SimulatedJob): Network => ({ latency: heavyTailedLatency, random: seededRandom(subSeed(seed ^ 0x5bd1e995, job.id)) });
/** The schedule of one job: a fresh one, with its own seeded jitter. */
const backoffOf = (strategy: Strategy, job: SimulatedJob): Backoff | undefined => strategy.make(seededRandom(1000 + job.id));

/** Runs every schedule over the jobs of one (mix, seed), replayed (model.ts). */
function runSeed(mix: JobMix, seed: number, jobs: readonly SimulatedJob[], all: readonly Strategy[]): SeedRun {
  const outcomes = new Map<string, JobOutcome[]>();
  for (const strategy of all) outcomes.set(strategy.name, jobs.map((job) => replayJob(job, backoffOf(strategy, job), networkOf(seed, job))));
  return { mix, seed, outcomes };
}

/**
 * What the cross-check runs through zipProgress$ itself, per (mix, seed): the first short jobs
 * under a few schedules (every option at its default), and the longest job under the schedules
 * that poll least, both with the default stall rule and with a fixed 15 min, so the stall guard
 * is checked where it matters: timers that fire and re-arm past 15 min, and jobs it fails.
 */
const CROSS_CHECK = {
  strategies: [DEFAULT_NAME, FIXED_2S_NAME, elapsedShareName(0.05), 'AWS waiter (2 s .. 120 s, jitter)'],
  jobs: 3,
  maxDurationMs: 120_000,
  stallStrategies: ['AWS waiter (2 s .. 120 s, jitter)', 'backoff-rxjs intervalBackoff (1 s x 2^i)'],
} as const;

/** How many sampled (job, schedule) pairs the replay and zipProgress$ agreed on, to the request and the ms. */
interface CrossCheck {
  readonly compared: number;
  /** Of those, the pairs whose stall guard fired at least once (failed, or re-armed past 15 min). */
  readonly stallCompared: number;
  readonly mismatches: readonly string[];
}

/** Runs a sample of jobs (see CROSS_CHECK) through `zipProgress$` in fake time and compares each outcome with the replay's. */
async function crossCheck(runs: readonly { run: SeedRun; jobs: readonly SimulatedJob[] }[], all: readonly Strategy[]): Promise<CrossCheck> {
  const mismatches: string[] = [];
  let compared = 0;
  let stallCompared = 0;
  const compare = async (run: SeedRun, job: SimulatedJob, strategy: Strategy, stallTimeout: number | undefined): Promise<JobOutcome> => {
    const real = await simulateJob(job, backoffOf(strategy, job), networkOf(run.seed, job), stallTimeout);
    const replayed = replayJob(job, backoffOf(strategy, job), networkOf(run.seed, job), stallTimeout);
    compared += 1;
    if (JSON.stringify(real) !== JSON.stringify(replayed)) {
      const stall = stallTimeout === undefined ? 'default' : `${stallTimeout} ms`;
      mismatches.push(`${run.mix.key} seed ${run.seed} job ${job.id} ${strategy.name}, stall ${stall}: zipProgress$ ${JSON.stringify(real)}, replay ${JSON.stringify(replayed)}`);
    }
    return replayed;
  };
  for (const { run, jobs } of runs) {
    const sample = jobs.filter((job) => job.endMs <= CROSS_CHECK.maxDurationMs).slice(0, CROSS_CHECK.jobs);
    for (const strategy of all.filter((s) => (CROSS_CHECK.strategies as readonly string[]).includes(s.name))) {
      for (const job of sample) await compare(run, job, strategy, undefined);
    }
    const longest = jobs.reduce((a, b) => (b.endMs > a.endMs ? b : a));
    for (const strategy of all.filter((s) => (CROSS_CHECK.stallStrategies as readonly string[]).includes(s.name))) {
      for (const stallTimeout of [undefined, FIXED_STALL_MS]) {
        const outcome = await compare(run, longest, strategy, stallTimeout);
        // Either rule's first timer fires at 15 min, unless the stream ended before.
        const endedAt = outcome.failedAtMs ?? longest.endMs + outcome.lagMs;
        if (endedAt >= FIXED_STALL_MS) stallCompared += 1;
      }
    }
  }
  return { compared, stallCompared, mismatches };
}

/** One schedule's figures on one mix: per seed, and over all seeds pooled. */
export interface MixFigures {
  readonly name: string;
  readonly strategy: Strategy;
  readonly pooled: Summary;
  /** Requests per job over those of fixed 2 s, all seeds pooled. */
  readonly pooledVsFixed2s: number;
  readonly perSeed: readonly { readonly seed: number; readonly summary: Summary; readonly vsFixed2s: number }[];
  /** Every job's lag over its tolerated lag, all seeds (for the lag chart). */
  readonly lagRatios: readonly number[];
}

/** Folds the seed runs of one mix into per-schedule figures. */
export function mixFigures(runs: readonly SeedRun[], all: readonly Strategy[]): MixFigures[] {
  const outcomesOf = (name: string): JobOutcome[] => runs.flatMap((r) => [...(r.outcomes.get(name) ?? [])]);
  const fixed2s = summarize(outcomesOf(FIXED_2S_NAME)).meanRequests;
  return all.map((strategy) => {
    const pooled = summarize(outcomesOf(strategy.name));
    const perSeed = runs.map((r) => {
      const summary = summarize(r.outcomes.get(strategy.name) ?? []);
      return { seed: r.seed, summary, vsFixed2s: summary.meanRequests / summarize(r.outcomes.get(FIXED_2S_NAME) ?? []).meanRequests };
    });
    const lagRatios = outcomesOf(strategy.name).map((o) => o.lagMs / o.toleratedMs);
    return { name: strategy.name, strategy, pooled, pooledVsFixed2s: pooled.meanRequests / fixed2s, perSeed, lagRatios };
  });
}

/** The default's worst seed on each target, for one mix. */
export interface WorstCase {
  readonly failed: number;
  readonly onTimeShare: number;
  readonly lagP50Ms: number;
  readonly longestGapMs: number;
  readonly requestsVsFixed2s: number;
}

export function worstCase(figures: MixFigures): WorstCase {
  const seeds = figures.perSeed;
  return {
    failed: Math.max(...seeds.map((s) => s.summary.failed)),
    onTimeShare: Math.min(...seeds.map((s) => s.summary.onTimeShare)),
    lagP50Ms: Math.max(...seeds.map((s) => s.summary.lagP50)),
    longestGapMs: Math.max(...seeds.map((s) => s.summary.longestGapMs)),
    requestsVsFixed2s: Math.max(...seeds.map((s) => s.vsFixed2s)),
  };
}

/** Whether a worst case meets each target. */
export function meets(worst: WorstCase): Record<keyof WorstCase, boolean> {
  return {
    failed: worst.failed <= TARGETS.failed,
    onTimeShare: worst.onTimeShare >= TARGETS.onTimeShare,
    lagP50Ms: worst.lagP50Ms <= TARGETS.lagP50Ms,
    longestGapMs: worst.longestGapMs <= TARGETS.longestGapMs,
    requestsVsFixed2s: worst.requestsVsFixed2s <= TARGETS.requestsVsFixed2s,
  };
}

const seconds = (ms: number): string =>
  !Number.isFinite(ms) ? 'failed' : ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
const kib = (bytesPerSecond: number): string => (bytesPerSecond / 1024).toFixed(1);

/** The targets table: every mix's worst seed beside each target. */
function targetsTable(byMix: ReadonlyMap<JobMix, MixFigures[]>): { lines: string[]; passed: boolean } {
  const lines = [
    `| default schedule, worst seed of each mix | ${[...byMix.keys()].map((m) => m.key).join(' | ')} | target |`,
    `|---|${[...byMix.keys()].map(() => '---:').join('|')}|---:|`,
  ];
  const worst = [...byMix.values()].map((figures) => worstCase(figures.find((f) => f.name === DEFAULT_NAME)!));
  const ok = worst.map(meets);
  const row = (label: string, key: keyof WorstCase, format: (w: WorstCase) => string, target: string): string =>
    `| ${label} | ${worst.map((w, i) => `${format(w)} ${ok[i]![key] ? '' : '**missed**'}`.trim()).join(' | ')} | ${target} |`;
  lines.push(
    row('jobs failed', 'failed', (w) => String(w.failed), '0'),
    row('jobs on time', 'onTimeShare', (w) => percent(w.onTimeShare), `>= ${percent(TARGETS.onTimeShare)}`),
    row('lag p50', 'lagP50Ms', (w) => seconds(w.lagP50Ms), `<= ${seconds(TARGETS.lagP50Ms)}`),
    row('longest gap between polls while running', 'longestGapMs', (w) => seconds(w.longestGapMs), `<= ${seconds(TARGETS.longestGapMs)}`),
    row('requests vs fixed 2 s', 'requestsVsFixed2s', (w) => percent(w.requestsVsFixed2s), `<= ${percent(TARGETS.requestsVsFixed2s)}`),
  );
  return { lines, passed: ok.every((o) => Object.values(o).every(Boolean)) };
}

/**
 * The sweep judged the way the default is: for each lagShare, its worst on-time share and its
 * worst requests ratio over every (mix, seed). The default should be the lagShare that is on time
 * most often while every (mix, seed) stays within the request target; the last line says which
 * lagShare that rule picks, so a change of data that moves the choice shows.
 */
function sweepTable(byMix: ReadonlyMap<JobMix, MixFigures[]>): string[] {
  const knobs = new Map<number, { onTime: number; onTimeMix: string; requests: number; requestsMix: string }>();
  for (const [mix, figures] of byMix) {
    for (const f of figures) {
      if (f.strategy.family !== 'sweep' && f.strategy.family !== 'default') continue;
      const knob = f.strategy.knob!;
      const w = worstCase(f);
      const entry = knobs.get(knob) ?? { onTime: 1, onTimeMix: '', requests: 0, requestsMix: '' };
      if (w.onTimeShare <= entry.onTime) Object.assign(entry, { onTime: w.onTimeShare, onTimeMix: mix.key });
      if (w.requestsVsFixed2s >= entry.requests) Object.assign(entry, { requests: w.requestsVsFixed2s, requestsMix: mix.key });
      knobs.set(knob, entry);
    }
  }
  const sorted = [...knobs].sort((a, b) => a[0] - b[0]);
  const affordable = sorted.filter(([, e]) => e.requests <= TARGETS.requestsVsFixed2s);
  const best = affordable.reduce<(typeof sorted)[number] | undefined>((top, k) => (top === undefined || k[1].onTime > top[1].onTime ? k : top), undefined);
  const onTimeByMix = (knob: number): string =>
    [...byMix].map(([, figures]) => percent(worstCase(figures.find((f) => f.strategy.knob === knob && f.strategy.family !== 'elapsed')!).onTimeShare)).join(' | ');
  return [
    '',
    `| lagShare (sweep; default ${ADAPTIVE_DEFAULTS.lagShare}) | on time, worst seed: ${[...byMix.keys()].map((m) => m.key).join(' | ')} | requests vs fixed 2 s, worst (mix, seed) |`,
    `|---:|${[...byMix.keys()].map(() => '---:').join('|')}|---:|`,
    ...sorted.map(([knob, e]) => `| ${knob}${knob === ADAPTIVE_DEFAULTS.lagShare ? ' (default)' : ''} | ${onTimeByMix(knob)} | ${percent(e.requests)} (${e.requestsMix})${e.requests <= TARGETS.requestsVsFixed2s ? '' : ' **over**'} |`),
    '',
    best === undefined
      ? 'No lagShare of the sweep keeps every (mix, seed) within the request target.'
      : `Rule "most jobs on time on the worst mix, every (mix, seed) within ${percent(TARGETS.requestsVsFixed2s)} of fixed 2 s's requests" picks lagShare ${best[0]} (worst on time ${percent(best[1].onTime)}, on ${best[1].onTimeMix}); the default is ${ADAPTIVE_DEFAULTS.lagShare}.`,
  ];
}

/** One mix's comparison table, all seeds pooled except the worst-seed on-time column. */
function mixTable(mix: JobMix, figures: readonly MixFigures[]): string[] {
  return [
    `**${mix.key}**: ${mix.description}.`,
    '',
    '| schedule | requests/job | vs fixed 2 s | lag p50 | lag p95 | on time (all seeds) | on time (worst seed) | longest gap while running | failed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...figures.map((f) => {
      const p = f.pooled;
      const worstOnTime = Math.min(...f.perSeed.map((s) => s.summary.onTimeShare));
      const name = f.strategy.family === 'default' ? `**${f.name}**` : f.name;
      return `| ${name} | ${p.meanRequests.toFixed(1)} | ${percent(f.pooledVsFixed2s)} | ${seconds(p.lagP50)} | ${seconds(p.lagP95)} | ${percent(p.onTimeShare)} | ${percent(worstOnTime)} | ${seconds(p.longestGapMs)} | ${p.failed} |`;
    }),
  ];
}

/**
 * The "Poll efficiency" section of `npm run bench`.
 *
 * @example
 * ```ts
 * const section = await run({ smoke: true });
 * console.log(section.table);
 * ```
 */
export async function run(options: BenchOptions): Promise<BenchSection> {
  const all = strategies(options.smoke);
  const byMix = new Map<JobMix, MixFigures[]>();
  const sampled: { run: SeedRun; jobs: SimulatedJob[] }[] = [];
  for (const mix of MIXES) {
    const seeds = options.smoke ? mix.seeds.slice(0, 1) : mix.seeds;
    const runs = seeds.map((seed) => {
      const jobs = generateJobs(mix, seed, options.smoke ? mix.smokeCount : mix.count);
      const run = runSeed(mix, seed, jobs, all);
      sampled.push({ run, jobs });
      return run;
    });
    byMix.set(mix, mixFigures(runs, all));
  }
  const check = await crossCheck(sampled, all);
  const mixes = [...byMix.keys()];
  // Jobs the default schedule loses to its stall guard on each mix: the default rule (the runs
  // above) against a fixed 15 min (replayed again, for information).
  const defaultStrategy = all.find((s) => s.name === DEFAULT_NAME)!;
  const stallFailures = mixes.map((mix) => {
    const perSeed = sampled
      .filter(({ run }) => run.mix === mix)
      .map(({ run, jobs }) => ({
        jobs: jobs.length,
        byDefault: run.outcomes.get(DEFAULT_NAME)!.filter((o) => o.failure === 'ProgressTimeoutError').length,
        byFixed: jobs.filter((job) => replayJob(job, backoffOf(defaultStrategy, job), networkOf(run.seed, job), FIXED_STALL_MS).failure === 'ProgressTimeoutError').length,
      }));
    const sum = (key: 'jobs' | 'byDefault' | 'byFixed'): number => perSeed.reduce((total, s) => total + s[key], 0);
    return { mix, jobs: sum('jobs'), byDefault: sum('byDefault'), byFixed: sum('byFixed'), fixedPerSeed: perSeed.map((s) => s.byFixed).join(' + ') };
  });
  // The pace (bytes over the time not stalled) of the jobs the default rule fails: what the rule
  // could not tell from a dead job.
  const failedPaces = sampled.flatMap(({ run, jobs }) =>
    jobs.filter((_, i) => run.outcomes.get(DEFAULT_NAME)![i]!.failure === 'ProgressTimeoutError').map((job) => job.totalbytes / ((job.shape.durationMs - job.shape.stallMs) / 1000)),
  );
  // Schedules that lose more jobs than the default on a mix: they see changes late, or wait past the allowed silence.
  const othersFailed = [...byMix].flatMap(([mix, figures]) => {
    const byDefault = figures.find((f) => f.name === DEFAULT_NAME)!.pooled.failed;
    return figures.filter((f) => f.pooled.failed > byDefault).map((f) => `${f.name} ${f.pooled.failed}/${f.pooled.jobs} (${mix.key})`);
  });
  const targets = targetsTable(byMix);
  const passed = targets.passed && check.mismatches.length === 0;
  const lines = [
    ...targets.lines,
    `| replay = zipProgress$ on the sampled jobs (requests, lag, gaps) | ${check.compared - check.mismatches.length} of ${check.compared} identical${check.mismatches.length > 0 ? ' **missed**' : ''} |${[...byMix.keys()].slice(1).map(() => ' |').join('')} all |`,
  ];
  const tables = [...sweepTable(byMix), ...[...byMix].flatMap(([mix, figures]) => ['', ...mixTable(mix, figures)])];
  const charts: string[] = [];
  if (options.chartsDir !== undefined) {
    await writeFile(join(options.chartsDir, 'trade-off.svg'), tradeOffChart(byMix, TARGETS));
    await writeFile(join(options.chartsDir, 'lag.svg'), lagChart(byMix));
    charts.push('Charts: spec/bench/trade-off.svg (requests vs jobs on time), spec/bench/lag.svg (lag distribution).');
  }
  return {
    title: 'Poll efficiency',
    table: [...lines, ...tables].join('\n'),
    passed,
    notes: [
      `Mixes x seeds x jobs: ${mixes.map((m) => `${m.key} ${options.smoke ? 1 : m.seeds.length} x ${options.smoke ? m.smokeCount : m.count}`).join(', ')}; durations 0.5 s .. 60 min; counters move once per finished file (spec/bench/mixes.ts says how each mix draws its jobs).`,
      `Every request takes a round trip of ${LATENCY.minMs} .. ${LATENCY.maxMs} ms (bounded Pareto, shape ${LATENCY.alpha}: median ~50 ms, 1 in 10 above ~180 ms); pCloud reads the progress half-way, so an answer is already old when it arrives. Every schedule gets the same latencies on the same job.`,
      `Every option is at its default (each schedule sets \`backoff\` only), the stall guard included: the default rule (lib/zip-progress/stall.ts: at least ${STALL_DEFAULTS.baseMs / 60_000} min without a change, longer while the bytes left need it at ${STALL_DEFAULTS.floorBytesPerSecond / 1024} KiB/s) fails the default schedule on ${stallFailures.map((f) => `${f.byDefault}/${f.jobs} jobs (${f.mix.key})`).join(', ')}${failedPaces.length > 0 ? ` (jobs zipping at ${kib(Math.min(...failedPaces))} .. ${kib(Math.max(...failedPaces))} KiB/s, below the rule's floor, whose counters stay still longer than it allows)` : ''}. For information, a fixed stallTimeout of ${FIXED_STALL_MS / 60_000} min (the old default) would fail ${stallFailures.map((f) => `${f.byFixed}/${f.jobs} (${f.mix.key}; ${f.fixedPerSeed} by seed)`).join(', ')}: a big file or a stall outlasting it. ${othersFailed.length > 0 ? `Every other schedule fails the same number of jobs as the default on each mix (the stall rule's doing, not the schedule's), except these, which poll seldom (the silence counts from the last change a schedule saw, and a long wait can outlast what is allowed): ${othersFailed.join(', ')}.` : 'Every other schedule fails the same number of jobs as the default on each mix (the stall rule\'s doing, not the schedule\'s).'}`,
      `Engine: every job is replayed by spec/bench/model.ts (zipProgress$'s poll loop as arithmetic: the library's own schedule, rate estimate, change test and stall rule; ~1 ms of CPU per poll less). ${check.compared} (job, schedule) pairs also run through zipProgress$ itself in fake time (@sinonjs/fake-timers, a fetch that answers after the latency): the first ${CROSS_CHECK.jobs} jobs under ${CROSS_CHECK.maxDurationMs / 60_000} min of every (mix, seed) under ${CROSS_CHECK.strategies.length} schedules, and the longest job of every (mix, seed) under the ${CROSS_CHECK.stallStrategies.length} schedules that poll least, with the default stall rule and with a fixed ${FIXED_STALL_MS / 60_000} min (${check.stallCompared} of these pairs last ${FIXED_STALL_MS / 60_000} min or more, so their stall guard fires: re-armed or failing); the section fails unless both agree exactly, to the request and the ms (a failure's ms included).`,
      ...check.mismatches.slice(0, 5).map((m) => `Mismatch: ${m}`),
      'On time: lag <= max(250 ms, 5% of the job duration). Lag: from the last file finishing to `complete`. Gaps count while the job runs. The default is judged on its worst seed of every mix, per target.',
      `Sweep: adaptiveBackoff with every default but lagShare (default ${ADAPTIVE_DEFAULTS.lagShare}). Elapsed share: wait = k x elapsed, within the default's ${ADAPTIVE_DEFAULTS.minDelay} ms .. ${ADAPTIVE_DEFAULTS.maxDelay / 1000} s (no rate estimate at all). Ceiling: the next request as soon as an answer is in; its misses are latency alone.`,
      'pcloud-sdk-js re-arms its 200 ms timer without waiting for the answer, so its requests may overlap; this poller never overlaps, so that row is "200 ms after each answer".',
      'backoff-rxjs intervalBackoff has no default interval; 1 s is used (the rx-polling / rxjs-poll default), doubling per poll, uncapped. The AWS waiter draws its jitter from a seeded random per job.',
      ...charts,
    ],
  };
}
