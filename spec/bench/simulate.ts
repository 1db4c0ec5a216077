/**
 * One simulated job under one schedule, through `zipProgress$` itself, in fake time
 * (@sinonjs/fake-timers): a fetch that answers after a random latency with what the job shows
 * when pCloud reads it.
 */
import FakeTimers from '@sinonjs/fake-timers';
import { type Backoff, zipProgress$ } from '../../lib/index.js';
import type { SimulatedJob } from './jobs.js';
import { type Latency, serverReadAt } from './latency.js';
import type { Random } from './random.js';

/** What one job under one schedule came to. */
export interface JobOutcome {
  readonly requests: number;
  /** ms from the job's true end to `complete` (Infinity when it failed). */
  readonly lagMs: number;
  /** Longest time between two requests, the first sent while the job still ran. */
  readonly longestGapMs: number;
  /** The lag tolerated for this job: max(250 ms, 5% of its duration). */
  readonly toleratedMs: number;
  readonly onTime: boolean;
  /** The error's name when the stream failed instead of completing. */
  readonly failure?: string;
  /** When it failed (ms after `savezip`), so a stall is checked to the ms. */
  readonly failedAtMs?: number;
}

/** The lag a job may show and still count as on time. */
export const toleratedLag = (durationMs: number): number => Math.max(250, 0.05 * durationMs);

const JSON_HEADERS = { 'content-type': 'application/json' };
const FAKED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'] as const;
/**
 * The real setImmediate, taken before any clock is faked: between two fake timers the bench lets
 * every pending promise settle with one real turn (fake-timers' nextAsync waits two real 1 ms
 * timeouts per timer, which made the bench wall-clock bound).
 */
const realSetImmediate = globalThis.setImmediate;
const settle = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));
/** A job that has not ended after this many timer firings is a bug in the bench or the schedule. */
const MAX_STEPS = 1_000_000;

/** Longest gap between consecutive requests where the first one was sent before `endMs`. */
export function longestGap(requestTimes: readonly number[], endMs: number): number {
  let longest = 0;
  for (let i = 1; i < requestTimes.length; i++) {
    const previous = requestTimes[i - 1]!;
    if (previous < endMs) longest = Math.max(longest, requestTimes[i]! - previous);
  }
  return longest;
}

/** How the simulated pCloud answers. */
export interface Network {
  readonly latency: Latency;
  /** Draws of this job's latencies: the same sequence for every schedule. */
  readonly random: Random;
}

/**
 * Runs one job to its end in fake time; the clock starts at 0 when `savezip` returns. Every
 * option but `backoff` and `stallTimeout` (when given) is the library's default, so a job the
 * defaults would fail counts as failed.
 */
export async function simulateJob(job: SimulatedJob, backoff: Backoff | undefined, network: Network, stallTimeout?: number): Promise<JobOutcome> {
  const clock = FakeTimers.withGlobal(globalThis).install({ now: 0, toFake: [...FAKED] });
  try {
    const requestTimes: number[] = [];
    const fetch: typeof globalThis.fetch = async () => {
      const sentMs = Date.now();
      requestTimes.push(sentMs);
      const latencyMs = network.latency(network.random);
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return new Response(JSON.stringify(job.answerAt(serverReadAt(sentMs, latencyMs))), { headers: JSON_HEADERS });
    };
    let completedAt: number | undefined;
    let failure: unknown;
    let failedAt = 0;
    const subscription = zipProgress$({
      progresshash: `bench-${job.id}`,
      auth: 'bench-auth',
      apiUrl: 'http://127.0.0.1:1',
      fetch,
      ...(backoff === undefined ? {} : { backoff }),
      ...(stallTimeout === undefined ? {} : { stallTimeout }),
    }).subscribe({
      complete: () => {
        completedAt = Date.now();
      },
      error: (error: unknown) => {
        failure = error ?? new Error('unknown failure');
        failedAt = Date.now();
      },
    });
    for (let step = 0; completedAt === undefined && failure === undefined; step++) {
      if (step > MAX_STEPS) throw new Error(`job ${job.id} did not end within ${MAX_STEPS} timer steps`);
      await settle();
      if (completedAt !== undefined || failure !== undefined) break;
      clock.next();
    }
    subscription.unsubscribe();
    const toleratedMs = toleratedLag(job.endMs);
    const longestGapMs = longestGap(requestTimes, job.endMs);
    if (completedAt === undefined) {
      const name = failure instanceof Error ? failure.name : String(failure);
      return { requests: requestTimes.length, lagMs: Infinity, longestGapMs, toleratedMs, onTime: false, failure: name, failedAtMs: failedAt };
    }
    const lagMs = completedAt - job.endMs;
    return { requests: requestTimes.length, lagMs, longestGapMs, toleratedMs, onTime: lagMs <= toleratedMs };
  } finally {
    clock.uninstall();
  }
}
