import { DELAY_RULE } from '../poll/duration.js';
import { checkDelayRange, FUNCTION_RULE, resolveOptions, SHARE_RULE } from '../poll/option-rules.js';
import { exponentialBackoff } from '../poll/exponential-backoff.js';
import type { BackoffContext } from './backoff-context.js';

/**
 * Options of {@link adaptiveBackoff}. Every wait lies in `[minDelay, maxDelay]`.
 *
 * The schedule aims at a completion lag (time from the job's real end to the observer's
 * `complete`) of at most `max(minDelay, lagShare x job duration)`, with as few requests as that
 * allows. The defaults were chosen with `npm run bench` (section "Poll efficiency").
 *
 * @example
 * ```ts
 * const options: AdaptiveBackoffOptions = { maxDelay: 2000, random: () => 0.5 }; // fixed jitter for tests
 * ```
 */
export interface AdaptiveBackoffOptions {
  /**
   * Shortest wait in ms. Default 100: with pCloud's tens to hundreds of ms per answer, a 250 ms
   * floor made 1-5 s jobs miss a 250 ms lag (npm run bench).
   */
  readonly minDelay?: number;
  /**
   * Longest wait in ms, so a finished job is seen within it whatever the estimates say. Default
   * 4700: with a round trip of up to 300 ms on top, requests stay at most 5 s apart.
   */
  readonly maxDelay?: number;
  /** Tolerated lag as a share of the job's duration. Default 0.05. */
  readonly lagShare?: number;
  /**
   * Wait as a share of the elapsed time while nothing has moved yet in a job of several files,
   * or the job is not registered yet (1901). Larger than `lagShare` because such a job rarely
   * ends at its next change; the price is that a job whose first file is nearly all of it is
   * seen within this share of its duration (and within `maxDelay`). Default 0.4.
   */
  readonly idleShare?: number;
  /**
   * How far towards the predicted end to wait, as a share of the time from the last change to
   * that end: the end if the job ran 1 / aimShare times faster since then. Past that point the
   * schedule falls back to `lagShare` of the elapsed time, so a job that speeds up (up to
   * 1 / aimShare times) is still seen in time. Default 0.25.
   */
  readonly aimShare?: number;
  /** First wait after a failed poll, in ms; doubles per consecutive failure, equal jitter. Default 500. */
  readonly failureDelay?: number;
  /** Source of randomness in [0, 1) for the failure jitter; inject a seeded one in tests. Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * Defaults of {@link AdaptiveBackoffOptions} (frozen).
 *
 * @example
 * ```ts
 * adaptiveBackoff({ maxDelay: ADAPTIVE_DEFAULTS.maxDelay * 2 });
 * ```
 */
export const ADAPTIVE_DEFAULTS = /* @__PURE__ */ Object.freeze({
  minDelay: 100,
  maxDelay: 4700,
  lagShare: 0.05,
  idleShare: 0.4,
  aimShare: 0.25,
  failureDelay: 500,
  /** `Math.random`, the failure jitter's source (see {@link AdaptiveBackoffOptions.random}). */
  random: Math.random,
} as const satisfies Required<AdaptiveBackoffOptions>);

type Resolved = Required<AdaptiveBackoffOptions>;

/** The rule of each option (named `adaptiveBackoff.<field>` in errors). */
const ADAPTIVE_RULES = {
  minDelay: DELAY_RULE,
  maxDelay: DELAY_RULE,
  lagShare: SHARE_RULE,
  idleShare: SHARE_RULE,
  aimShare: SHARE_RULE,
  failureDelay: DELAY_RULE,
  random: FUNCTION_RULE,
};

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/**
 * The wait while the job runs normally (no failure), in ms before clamping. Pure arithmetic.
 *
 * - No rate yet: a share of the elapsed time (`lagShare`, or `idleShare` while the next change
 *   is unlikely to be the last). A job that ends at the next change is then seen within that
 *   share of its duration, and the waits grow geometrically, so a long job costs few requests
 *   before it shows a rate.
 * - Predicted end within the tolerated lag: poll right at it (an early end is still seen in time).
 * - Predicted end further: wait until the end the job would reach at 1 / aimShare times its
 *   speed since the last change, never less than the safe elapsed-time share; past that point,
 *   the safe share (the job may end any moment if it sped up).
 * - Past the predicted end: the safe elapsed-time share.
 */
function runningWait(o: Resolved, ctx: BackoffContext): number {
  const { etaMs, lastProgress } = ctx;
  const elapsed = Math.max(0, ctx.elapsedMs);
  const safe = o.lagShare * elapsed;
  if (etaMs === undefined) {
    // Not registered yet (1901), or several files and none finished: the next change is very
    // unlikely to be the last one.
    const idle = lastProgress === undefined || (lastProgress.totalfiles > 1 && lastProgress.files === 0);
    return idle ? o.idleShare * elapsed : safe;
  }
  // Anchor the prediction at the last change: counters move once per file, so the rate
  // averaged up to an unchanged answer sinks as time passes and the predicted end drifts away.
  const anchorMs = lastProgress?.etaMs === undefined ? elapsed - ctx.msSinceLastAnswer : lastProgress.elapsedMs;
  const predictedEnd = anchorMs + (lastProgress?.etaMs ?? etaMs);
  const left = predictedEnd - elapsed;
  if (!(left > 0)) return safe;
  const tolerated = Math.max(o.minDelay, o.lagShare * (elapsed + left));
  if (left <= tolerated) return left;
  // The end if the job has run 1 / aimShare times faster since the last change: wait until then
  // at most; past it, the safe elapsed-time share (the job may be over any moment).
  const earliest = anchorMs + o.aimShare * (predictedEnd - anchorMs);
  return Math.max(safe, earliest - elapsed);
}

/**
 * The default schedule of `zipProgress$`: a pure function of the poll state that spends requests
 * where they shorten the time between the job's end and `complete`.
 *
 * While the job runs, it waits a share of the elapsed time when no rate is known (a job that
 * gives no rate information, such as one big file, is still seen within 5% of its duration),
 * and aims at the end predicted from the observed byte rate when there is one: it waits no
 * longer than until the end the job would reach at 1 / `aimShare` times its speed since the last
 * change, then polls at the elapsed-time share, so a job that speeds up is not overshot. After a failed poll
 * it backs off exponentially from `failureDelay` (x2 per failure) with equal jitter drawn from
 * `random`. Every wait lies in `[minDelay, maxDelay]`; without failures the schedule does not
 * use `random` at all, so it is deterministic.
 *
 * @throws TypeError when an option is malformed.
 *
 * @example
 * ```ts
 * import { adaptiveBackoff, zipProgress$ } from 'pcloud-zip-progress';
 *
 * // The default, spelled out; or tune it, e.g. never wait more than 2 s:
 * zipProgress$({ progresshash, auth, backoff: adaptiveBackoff({ maxDelay: 2000 }) }).subscribe(console.log);
 * ```
 */
export function adaptiveBackoff(options: AdaptiveBackoffOptions = {}): (context: BackoffContext) => number {
  const o = resolveOptions<Resolved>('adaptiveBackoff.', options, ADAPTIVE_DEFAULTS, ADAPTIVE_RULES);
  const { minDelay, maxDelay } = o;
  checkDelayRange('adaptiveBackoff.', 'minDelay', minDelay, maxDelay);
  const onFailure = exponentialBackoff({
    initialDelay: clamp(o.failureDelay, minDelay, maxDelay),
    maxDelay,
    factor: 2,
    jitter: 'equal',
    random: o.random,
  });
  return (ctx) => {
    if (ctx.failures > 0) return onFailure(ctx);
    const wait = runningWait(o, ctx);
    return clamp(Number.isFinite(wait) ? wait : maxDelay, minDelay, maxDelay);
  };
}
