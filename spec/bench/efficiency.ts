/**
 * Bench section "Poll efficiency": the default schedule against the schedules of other pollers,
 * all run through `zipProgress$` itself on the same simulated jobs in fake time.
 */
import FakeTimers from '@sinonjs/fake-timers';
import type { Backoff, BackoffContext } from '../../lib/zip-progress/options.js';
import { zipProgress$ } from '../../lib/zip-progress/zip-progress.js';
import { seededRandom } from '../../lib/testing/seeded-random.js';
import { FULL_MIX, generateJobs, type Random, SMOKE_MIX, type SimulatedJob } from './jobs.js';
import type { BenchOptions, BenchSection } from './section.js';
import { percentile } from './stats.js';

/** A schedule under test; `make` builds a fresh one per job (seeded jitter restarts per job). */
interface Strategy {
  readonly name: string;
  readonly make: (random: Random) => Backoff | undefined;
}

const DEFAULT_NAME = 'this library (default, adaptive)';
const FIXED_2S_NAME = 'fixed 2 s (@azure/core-lro)';

/** AWS waiter (@smithy): attempt n waits U[min, min(min x 2^(n-1), max)], exactly max past the ceiling. */
function awsWaiter(random: Random, minMs = 2000, maxMs = 120_000): (ctx: BackoffContext) => number {
  const ceiling = Math.log2(maxMs / minMs) + 1;
  return ({ polls }) => {
    if (polls > ceiling) return maxMs;
    const top = Math.min(minMs * 2 ** (polls - 1), maxMs);
    return minMs + random() * (top - minMs);
  };
}

/**
 * This library's default and the peers' default schedules (each name says which library it comes
 * from), as `backoff` functions of the same context.
 */
const STRATEGIES: readonly Strategy[] = [
  { name: DEFAULT_NAME, make: () => undefined },
  { name: 'fixed 200 ms (pcloud-sdk-js)', make: () => () => 200 },
  { name: 'fixed 1 s (rx-polling, rxjs-poll)', make: () => () => 1000 },
  { name: FIXED_2S_NAME, make: () => () => 2000 },
  { name: 'AWS waiter (2 s .. 120 s, jitter)', make: (random) => awsWaiter(random) },
  { name: 'google-gax (100 ms x 1.3, <= 60 s)', make: () => ({ polls }) => Math.min(60_000, 100 * 1.3 ** (polls - 1)) },
  { name: 'backoff-rxjs intervalBackoff (1 s x 2^i)', make: () => ({ polls }) => 1000 * 2 ** (polls - 1) },
];

/** What one job under one schedule came to. */
interface JobOutcome {
  readonly requests: number;
  /** ms from the job's true end to `complete`. */
  readonly lagMs: number;
  /** Longest time between two requests, the first sent while the job still ran. */
  readonly longestGapMs: number;
  readonly onTime: boolean;
}

/** The lag a job may show and still count as on time. */
const toleratedLag = (durationMs: number): number => Math.max(250, 0.05 * durationMs);

const JSON_HEADERS = { 'content-type': 'application/json' };
const FAKED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'] as const;
/** A job that has not completed after this many timer firings is a bug in the bench or the schedule. */
const MAX_STEPS = 100_000;

/** Longest gap between consecutive requests where the first one was sent before `endMs`. */
function longestGap(requestTimes: readonly number[], endMs: number): number {
  let longest = 0;
  for (let i = 1; i < requestTimes.length; i++) {
    const previous = requestTimes[i - 1]!;
    if (previous < endMs) longest = Math.max(longest, requestTimes[i]! - previous);
  }
  return longest;
}

/** Runs one job to completion in fake time; the clock starts at 0 when `savezip` returns. */
async function simulateJob(job: SimulatedJob, backoff: Backoff | undefined): Promise<JobOutcome> {
  const clock = FakeTimers.withGlobal(globalThis).install({ now: 0, toFake: [...FAKED] });
  try {
    const requestTimes: number[] = [];
    // Cheap on purpose: no network, one JSON body from the simulated job at the fake clock.
    const fetch: typeof globalThis.fetch = async () => {
      const now = Date.now();
      requestTimes.push(now);
      return new Response(JSON.stringify(job.answerAt(now)), { headers: JSON_HEADERS });
    };
    let completedAt: number | undefined;
    let failure: unknown;
    const subscription = zipProgress$({
      progresshash: `bench-${job.id}`,
      auth: 'bench-auth',
      apiUrl: 'http://127.0.0.1:1',
      fetch,
      requestTimeout: Infinity,
      stallTimeout: Infinity,
      ...(backoff === undefined ? {} : { backoff }),
    }).subscribe({
      complete: () => {
        completedAt = Date.now();
      },
      error: (error: unknown) => {
        failure = error ?? new Error('unknown failure');
      },
    });
    for (let step = 0; completedAt === undefined && failure === undefined; step++) {
      if (step > MAX_STEPS) throw new Error(`job ${job.id} did not complete within ${MAX_STEPS} timer steps`);
      await clock.nextAsync();
    }
    subscription.unsubscribe();
    if (completedAt === undefined) throw new Error(`job ${job.id} failed: ${String(failure)}`);
    const lagMs = completedAt - job.endMs;
    return { requests: requestTimes.length, lagMs, longestGapMs: longestGap(requestTimes, job.endMs), onTime: lagMs <= toleratedLag(job.endMs) };
  } finally {
    clock.uninstall();
  }
}

/** Summary of one schedule over every job. */
interface StrategyResult {
  readonly name: string;
  readonly meanRequests: number;
  readonly lagP50: number;
  readonly lagP95: number;
  readonly lagMax: number;
  readonly onTimeShare: number;
  readonly longestGapMs: number;
  readonly outcomes: readonly JobOutcome[];
}

/** Pure summary of outcomes. */
function summarize(name: string, outcomes: readonly JobOutcome[]): StrategyResult {
  const lags = outcomes.map((o) => o.lagMs);
  const n = Math.max(1, outcomes.length);
  return {
    name,
    meanRequests: outcomes.reduce((sum, o) => sum + o.requests, 0) / n,
    lagP50: percentile(lags, 0.5),
    lagP95: percentile(lags, 0.95),
    lagMax: Math.max(0, ...lags),
    onTimeShare: outcomes.filter((o) => o.onTime).length / n,
    longestGapMs: Math.max(0, ...outcomes.map((o) => o.longestGapMs)),
    outcomes,
  };
}

/** Runs one schedule over every job; each job gets its own seeded jitter source. */
async function runStrategy(strategy: Strategy, jobs: readonly SimulatedJob[]): Promise<StrategyResult> {
  const outcomes: JobOutcome[] = [];
  for (const job of jobs) outcomes.push(await simulateJob(job, strategy.make(seededRandom(1000 + job.id))));
  return summarize(strategy.name, outcomes);
}

/** The targets for the default schedule. */
const TARGETS = { onTimeShare: 0.95, longestGapMs: 5000, requestsVsFixed2s: 0.6 } as const;

const seconds = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
const mark = (ok: boolean): string => (ok ? 'met' : '**missed**');

/** The comparison table and the targets table, as markdown lines. */
function formatTables(results: readonly StrategyResult[]): { table: string; passed: boolean } {
  const fixed2s = results.find((r) => r.name === FIXED_2S_NAME);
  const ours = results.find((r) => r.name === DEFAULT_NAME);
  const vs2s = (r: StrategyResult): string => (fixed2s === undefined ? 'n/a' : percent(r.meanRequests / fixed2s.meanRequests));
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.meanRequests.toFixed(1)} | ${vs2s(r)} | ${seconds(r.lagP50)} | ${seconds(r.lagP95)} | ${seconds(r.lagMax)} | ${percent(r.onTimeShare)} | ${seconds(r.longestGapMs)} |`,
  );
  const lines = [
    '| schedule | requests/job (mean) | vs fixed 2 s | lag p50 | lag p95 | lag max | on time | longest gap while running |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ];
  if (ours === undefined || fixed2s === undefined) return { table: lines.join('\n'), passed: false };
  const ratio = ours.meanRequests / fixed2s.meanRequests;
  const checks = [
    ['jobs on time', percent(ours.onTimeShare), `>= ${percent(TARGETS.onTimeShare)}`, ours.onTimeShare >= TARGETS.onTimeShare],
    ['longest gap between polls while running', seconds(ours.longestGapMs), `<= ${seconds(TARGETS.longestGapMs)}`, ours.longestGapMs <= TARGETS.longestGapMs],
    ['requests vs fixed 2 s', percent(ratio), `<= ${percent(TARGETS.requestsVsFixed2s)}`, ratio <= TARGETS.requestsVsFixed2s],
  ] as const;
  lines.push(
    '',
    '| target (default schedule) | figure | target | |',
    '|---|---:|---:|---|',
    ...checks.map(([what, figure, target, ok]) => `| ${what} | ${figure} | ${target} | ${mark(ok)} |`),
  );
  return { table: lines.join('\n'), passed: checks.every(([, , , ok]) => ok) };
}

/** Where the default schedule is late, by the kind of job (empty when it never is). */
function lateByTrait(jobs: readonly SimulatedJob[], outcomes: readonly JobOutcome[]): string {
  const late = jobs.filter((_, i) => !outcomes[i]!.onTime);
  if (late.length === 0) return 'The default schedule was on time for every job.';
  const count = (test: (job: SimulatedJob) => boolean): number => late.filter(test).length;
  return (
    `Late jobs of the default schedule: ${late.length} (single file ${count((j) => j.totalfiles === 1)}, ` +
    `registered late ${count((j) => j.traits.registerAtMs > 0)}, stalled ${count((j) => j.traits.stallMs > 0)}, ` +
    `sped up ${count((j) => j.traits.speedChange > 1)}, slowed down ${count((j) => j.traits.speedChange < 1)}).`
  );
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
  const mix = options.smoke ? SMOKE_MIX : FULL_MIX;
  const jobs = generateJobs(mix);
  const results: StrategyResult[] = [];
  for (const strategy of STRATEGIES) results.push(await runStrategy(strategy, jobs));
  const { table, passed } = formatTables(results);
  const ours = results.find((r) => r.name === DEFAULT_NAME)!;
  return {
    title: 'Poll efficiency',
    table,
    passed,
    notes: [
      `${jobs.length} simulated jobs (seed ${mix.seed}), true durations log-uniform ${seconds(mix.minDurationMs)} .. ${seconds(mix.maxDurationMs)}; ` +
        'one file in ten jobs, otherwise a huge first and last file and Pareto-sized files between; counters move once per finished file; ' +
        '20% register late (1901 first), 20% stall, 25% change speed (x0.25 .. x4).',
      'Every schedule runs through zipProgress$ itself, in fake time (@sinonjs/fake-timers), with a fetch that answers at once from the simulated job.',
      'On time: lag <= max(250 ms, 5% of the job duration). Lag: from the last file finishing to `complete`. Gaps count while the job runs.',
      'pcloud-sdk-js re-arms its 200 ms timer without waiting for the answer, so its requests may overlap; this poller never overlaps, ' +
        'so that row is "200 ms after each answer" (with instant answers the two are the same).',
      'backoff-rxjs intervalBackoff has no default interval; 1 s is used (the rx-polling / rxjs-poll default), doubling per poll, uncapped.',
      'The AWS waiter draws its jitter from a seeded random per job; the default schedule draws random numbers only after a failed poll, ' +
        'and none fail here, so every figure is reproducible.',
      lateByTrait(jobs, ours.outcomes),
    ],
  };
}
