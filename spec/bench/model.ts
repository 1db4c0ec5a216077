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
import type { Backoff } from '../../lib/index.js';
import { resolvePolling } from '../../lib/zip-progress/polling-options.js';
import { estimateRate, type ProgressSample } from '../../lib/zip-progress/rate.js';
import { isZipDone, progressFraction, sameCounts, type ZipProgress } from '../../lib/zip-progress/snapshot.js';
import { allowedSilenceMs } from '../../lib/zip-progress/stall.js';
import type { SimulatedJob } from './jobs.js';
import { serverReadAt } from './latency.js';
import { type JobOutcome, longestGap, type Network, toleratedLag } from './simulate.js';

/**
 * One job under one schedule, replayed: the first request at 0, each next one `backoff` ms after
 * the previous answer; 1901 within `notFoundGrace` before any progress is "not yet", after it a
 * failure; the stall guard as `zipProgress$` arms it (see {@link StallGuard}): a fixed
 * `stallTimeout`, or when undefined the library's default rule (`allowedSilenceMs` of the last
 * emitted snapshot).
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
  let now = 0;
  const end = (outcome: { completedAt?: number; failure?: string; failedAt?: number }): JobOutcome => {
    const toleratedMs = toleratedLag(job.endMs);
    const longestGapMs = longestGap(requestTimes, job.endMs);
    const requests = requestTimes.length;
    if (outcome.completedAt === undefined) return { requests, lagMs: Infinity, longestGapMs, toleratedMs, onTime: false, failure: outcome.failure ?? 'unknown', failedAtMs: outcome.failedAt ?? now };
    const lagMs = outcome.completedAt - job.endMs;
    return { requests, lagMs, longestGapMs, toleratedMs, onTime: lagMs <= toleratedMs };
  };
  // Timers (fake or real) count whole ms: a 200.7 ms wait fires after 200 ms.
  const timer = (ms: number): number => Math.trunc(ms);
  const guard = new StallGuard(() => polling.stallTimeout ?? allowedSilenceMs(last));
  // zipProgress$ sends the first request, then arms the guard before that request's timer exists.
  guard.start(0);
  for (;;) {
    requestTimes.push(now);
    polls += 1;
    const latencyMs = network.latency(network.random);
    const answer = job.answerAt(serverReadAt(now, latencyMs));
    const failedAt = guard.firesBefore(now + timer(latencyMs), guard.newTimer());
    if (failedAt !== undefined) return end({ failure: 'ProgressTimeoutError', failedAt });
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
        if (latest.done) return end({ completedAt: now });
        guard.changed(now);
      }
    }
    const wait = polling.backoff({
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
    // The wait's timer is armed after the answer was handled (and the guard re-armed, if it was).
    const failedAfterWait = guard.firesBefore(now + timer(wait), guard.newTimer());
    if (failedAfterWait !== undefined) return end({ failure: 'ProgressTimeoutError', failedAt: failedAfterWait });
    now += timer(wait);
  }
}

/**
 * The stall guard of `zipProgress$` (lib/zip-progress/watch.ts) as arithmetic, with the order of
 * its timer among the poll loop's: fake and real timers due at the same ms fire in the order they
 * were created, so every timer gets a creation number.
 *
 * - Armed when polling starts, to fire `allowed()` after it (no change yet).
 * - A change re-arms it only when the silence allowed from that change ends before the armed
 *   timer (fewer bytes left); a fixed limit never re-arms on a change.
 * - When it fires, it fails the job if the progress has been unchanged for `allowed()` (read
 *   then, from the last change), else re-arms for the rest of that silence.
 *
 * @example
 * ```ts
 * const guard = new StallGuard(() => 900_000);
 * guard.start(0);
 * guard.firesBefore(900_000, guard.newTimer()); // 900 000: fails then (no change, older timer)
 * ```
 */
export class StallGuard {
  private timers = 0;
  private changedAt = 0;
  private dueAt = Infinity;
  private createdAs = 0;

  constructor(
    /** The silence allowed after the last change, as now known (fixed, or the default rule). */
    private readonly allowed: () => number,
  ) {}

  /** The creation number of a timer armed now. */
  newTimer(): number {
    return ++this.timers;
  }

  /** Arms the guard at `now` to fire `ms` later (Infinity: never). */
  private armAt(now: number, ms: number): void {
    this.dueAt = now + ms;
    this.createdAs = this.newTimer();
  }

  /** Polling started at `now`: the silence counts from here until the first change. */
  start(now: number): void {
    this.changedAt = now;
    this.armAt(now, this.allowed());
  }

  /** The progress changed at `now` (not to done): re-armed if the stall is now due earlier. */
  changed(now: number): void {
    this.changedAt = now;
    const left = this.allowed();
    if (now + left < this.dueAt) this.armAt(now, left);
  }

  /**
   * Whether the guard fails the job before the poll loop's next timer (due at `dueAt`, created
   * as `createdAs`) fires: the ms it fails at, or undefined. Re-arms itself on the way.
   */
  firesBefore(dueAt: number, createdAs: number): number | undefined {
    for (;;) {
      if (!(this.dueAt < dueAt || (this.dueAt === dueAt && this.createdAs < createdAs))) return undefined;
      const firedAt = this.dueAt;
      const left = this.changedAt + this.allowed() - firedAt;
      if (!(left > 0)) return firedAt;
      this.armAt(firedAt, left);
    }
  }
}
