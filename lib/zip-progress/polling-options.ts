import { asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import { durationOption } from '../poll/duration.js';
import { methodRule, optionRule, resolveOptions } from '../poll/option-rules.js';
import { EXPONENTIAL_DEFAULTS, exponentialBackoff, resolveExponential } from '../poll/exponential-backoff.js';
import { type OptionsSnapshot, readOnce } from '../poll/read-once.js';
import { ADAPTIVE_DEFAULTS, adaptiveBackoff } from './adaptive-backoff.js';
import type { Backoff, BackoffContext } from './backoff-context.js';

/** Options of the polling schedule and its limits. */
export interface PollingOptions {
  /**
   * Backoff between polls. Default: `adaptiveBackoff()`: waits 100 ms .. 4.7 s that grow with the
   * elapsed time while no rate is known and aim at the end predicted from the byte rate once it
   * is, so the end is seen within about 5% of the job's duration with few requests; after a
   * failure, exponential from 500 ms with jitter. Pass exponential options (e.g. `{}` for 500 ms
   * .. 5 s, factor 1.5, equal jitter) or your own function to change it.
   */
  readonly backoff?: Backoff;
  /**
   * ms per HTTP request, body included; in `saveZip$`, also the wait for `savezip`'s answer once
   * progress reports the zip done. Default 30 000. Any value up to `Infinity` (no limit).
   */
  readonly requestTimeout?: number;
  /** Overall deadline in ms, any value up to `Infinity`. Default: none. */
  readonly timeout?: number;
  /**
   * A fixed limit: ms without any change in progress before giving up (any value up to
   * `Infinity`). Default: judged from the job:
   * `max(60 min, bytes left / min(256 KiB/s, observed rate / 10))` (pace never below 1 KiB/s),
   * so one big file is never taken for a stall and a dead job still ends.
   */
  readonly stallTimeout?: number;
  /** Consecutive transient failures retried before the stream errors. Default 5. */
  readonly maxRetries?: number;
  /** ms after subscribing during which 1901 "Zip not found" means "not registered yet". Default 15 000. */
  readonly notFoundGrace?: number;
  /** Scheduler for every wait and timeout (virtual time in tests). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * Pauses polling while its latest value is true (a hidden tab, a metered connection): no new
   * request is sent (one in flight finishes and is handled), the stall clock stops, the overall
   * `timeout` keeps running. When it turns false the next poll goes out at once (never before a
   * server's `Retry-After`). An error of `paused` fails the stream; its completion leaves the
   * last value in force. `saveZip$` pauses its polling only, never `savezip`.
   */
  readonly paused?: Observable<boolean>;
}

/**
 * Defaults of the polling options (frozen). `stallTimeout` has none: by default the allowed
 * silence is judged from the job.
 *
 * @example
 * ```ts
 * const timeout = AbortSignal.timeout(POLLING_DEFAULTS.requestTimeout);
 * ```
 */
export const POLLING_DEFAULTS = Object.freeze({
  requestTimeout: 30_000,
  timeout: Infinity,
  maxRetries: 5,
  notFoundGrace: 15_000,
} as const);

let defaultBackoff: ((context: BackoffContext) => number) | undefined;

/** Polling options after validation, with defaults filled in. */
export interface ResolvedPolling {
  readonly backoff: (context: BackoffContext) => number;
  /** Floor for waits after a rate limit without `Retry-After` ("wait longer"). */
  readonly rateLimitDelay: number;
  readonly requestTimeout: number;
  readonly timeout: number;
  /** A fixed stall limit, or undefined for the default rule judged from the job. */
  readonly stallTimeout: number | undefined;
  readonly maxRetries: number;
  readonly notFoundGrace: number;
  readonly scheduler: SchedulerLike;
  readonly paused: Observable<boolean> | undefined;
}

/** The rule of each polling option: the list of them all. */
const POLLING_RULES = {
  backoff: /* @__PURE__ */ optionRule((value) => typeof value === 'function' || (typeof value === 'object' && value !== null), 'an options object or a function returning ms'),
  requestTimeout: durationOption,
  timeout: durationOption,
  stallTimeout: durationOption,
  notFoundGrace: (name: string, value: unknown) => durationOption(name, value, { allowZero: true }),
  maxRetries: /* @__PURE__ */ optionRule((value) => Number.isSafeInteger(value) && (value as number) >= 0, 'a whole number >= 0'),
  scheduler: /* @__PURE__ */ methodRule('schedule', 'an RxJS SchedulerLike'),
  paused: /* @__PURE__ */ methodRule('subscribe', 'an Observable<boolean>'),
};

/** Reads each polling option once (see {@link OptionsSnapshot}). */
export function readPollingOptions(options: PollingOptions): OptionsSnapshot<PollingOptions> {
  return readOnce(options, POLLING_RULES);
}

/** Validates the polling options; throws a TypeError naming the option. */
export function resolvePolling(options: PollingOptions): ResolvedPolling {
  // stallTimeout and paused have no default (undefined: not used).
  const resolved = resolveOptions<Required<PollingOptions>>('', options, { ...POLLING_DEFAULTS, scheduler: asyncScheduler }, POLLING_RULES);
  const given = resolved.backoff as Backoff | undefined;
  let backoff: (context: BackoffContext) => number;
  // A 429 without Retry-After waits the schedule's longest wait (a function's: the exponential default's).
  let rateLimitDelay: number = EXPONENTIAL_DEFAULTS.maxDelay;
  if (given === undefined) {
    // The default backoff is a pure function: one instance serves every subscription.
    backoff = defaultBackoff ??= adaptiveBackoff();
    rateLimitDelay = ADAPTIVE_DEFAULTS.maxDelay;
  } else if (typeof given === 'object') {
    const exponential = resolveExponential(given);
    backoff = exponentialBackoff(exponential);
    rateLimitDelay = exponential.maxDelay;
  } else {
    backoff = given;
  }
  // Spelled out: one small object per subscription, with a fixed shape (a spread of the
  // loop-built `resolved` measured about 350 bytes more per subscription).
  return {
    backoff,
    rateLimitDelay,
    requestTimeout: resolved.requestTimeout,
    timeout: resolved.timeout,
    stallTimeout: resolved.stallTimeout,
    maxRetries: resolved.maxRetries,
    notFoundGrace: resolved.notFoundGrace,
    scheduler: resolved.scheduler,
    paused: resolved.paused,
  };
}
