/**
 * The poll loop of `zipProgress$` replayed as plain arithmetic: the same schedule function (from
 * `resolvePolling`), the same rate estimate, change test and stall rule, the same per-request
 * latencies, but no HTTP client, no timers and no promises. One job takes microseconds instead of
 * ~1 ms of CPU per poll, which is what lets the bench sweep schedules over thousands of jobs.
 *
 * simulate.ts runs the real `zipProgress$` in fake time; the bench runs both on a sample of jobs
 * and fails when they disagree on a single request or millisecond (see `crossCheck` in
 * efficiency.ts), so this replay cannot drift from the library unnoticed.
 */
import { type Backoff, resolvePolling } from '../../lib/zip-progress/options.js';
import { estimateRate, type ProgressSample } from '../../lib/zip-progress/rate.js';
import { isZipDone, progressFraction, sameCounts, type ZipProgress } from '../../lib/zip-progress/snapshot.js';
import { allowedSilenceMs } from '../../lib/zip-progress/stall.js';
import type { SimulatedJob } from './jobs.js';
import { serverReadAt } from './latency.js';
import { type JobOutcome, longestGap, type Network, toleratedLag } from './simulate.js';

/**
 * One job under one schedule, replayed: the first request at 0, each next one `nextDelay` after
 * the previous answer; 1901 within `notFoundGrace` before any progress is "not yet", after it a
 * failure; the stall guard fails the job `stallTimeout` (the library's default when undefined)
 * after the last change.
 *
 * @example
 * ```ts
 * const outcome = replayJob(job, () => 2000, { latency: heavyTailedLatency, random: seededRandom(1) });
 * ```
 */
export function replayJob(job: SimulatedJob, backoff: Backoff | undefined, network: Network, stallTimeout?: number): JobOutcome {
  const polling = resolvePolling({ ...(backoff === undefined ? {} : { backoff }), ...(stallTimeout === undefined ? {} : { stallTimeout }) });
  const requestTimes: number[] = [];
  let polls = 0;
  let unchangedPolls = 0;
  let first: ProgressSample | undefined;
  let latest: ZipProgress | undefined;
  let last: ZipProgress | undefined;
  let lastError: unknown;
  let changedAt = 0;
  let now = 0;
  const end = (outcome: { completedAt?: number; failure?: string }): JobOutcome => {
    const toleratedMs = toleratedLag(job.endMs);
    const longestGapMs = longestGap(requestTimes, job.endMs);
    const requests = requestTimes.length;
    if (outcome.completedAt === undefined) return { requests, lagMs: Infinity, longestGapMs, toleratedMs, onTime: false, failure: outcome.failure ?? 'unknown' };
    const lagMs = outcome.completedAt - job.endMs;
    return { requests, lagMs, longestGapMs, toleratedMs, onTime: lagMs <= toleratedMs };
  };
  // Timers (fake or real) count whole ms: a 200.7 ms wait fires after 200 ms.
  const timer = (ms: number): number => Math.trunc(ms);
  // The stall guard's timer was armed before any request, so on a tie it fires first.
  // A fixed stallTimeout, or the library's default rule judged from the last change.
  const stallsBy = (t: number): boolean => {
    const allowed = polling.stallTimeout ?? allowedSilenceMs(last);
    return Number.isFinite(allowed) && changedAt + allowed <= t;
  };
  for (;;) {
    requestTimes.push(now);
    polls += 1;
    const latencyMs = network.latency(network.random);
    const answer = job.answerAt(serverReadAt(now, latencyMs));
    if (stallsBy(now + timer(latencyMs))) return end({ failure: 'ProgressTimeoutError' });
    now += timer(latencyMs);
    if (answer.result === 1901) {
      if (!(last === undefined && now < polling.notFoundGrace)) return end({ failure: 'PCloudApiError' });
      unchangedPolls += 1;
      lastError = answer;
    } else {
      const { files, totalfiles, bytes, totalbytes } = answer;
      first ??= { atMs: now, files, bytes };
      const { bytesPerSecond, etaMs } = estimateRate(first, now, answer);
      latest = { files, totalfiles, bytes, totalbytes, fraction: progressFraction(answer), done: isZipDone(answer), elapsedMs: now, bytesPerSecond, etaMs };
      lastError = undefined;
      if (last !== undefined && sameCounts(last, latest)) {
        unchangedPolls += 1;
      } else {
        last = latest;
        unchangedPolls = 0;
        changedAt = now;
        if (latest.done) return end({ completedAt: now });
      }
    }
    const wait = polling.nextDelay({
      polls,
      unchangedPolls,
      failures: 0,
      lastProgress: last,
      bytesPerSecond: latest?.bytesPerSecond,
      etaMs: latest?.etaMs,
      msSinceLastAnswer: latest === undefined ? 0 : now - latest.elapsedMs,
      lastError,
      elapsedMs: now,
    });
    if (!(wait >= 0 && Number.isFinite(wait))) throw new Error(`backoff returned ${String(wait)}`);
    if (stallsBy(now + timer(wait))) return end({ failure: 'ProgressTimeoutError' });
    now += timer(wait);
  }
}
