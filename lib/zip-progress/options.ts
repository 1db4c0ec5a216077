import { asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import { DEFAULT_MAX_RESPONSE_BYTES, type PCloudClientConfig } from '../pcloud/client.js';
import { type Credentials, hasCredentials, validateCredentials } from '../pcloud/credentials.js';
import { DEFAULT_API_URL, parseApiUrl } from '../pcloud/endpoint.js';
import { durationOption } from '../poll/duration.js';
import { isSubscribable } from '../poll/pause.js';
import { EXPONENTIAL_DEFAULTS, exponentialBackoff, type ExponentialBackoffOptions, resolveExponential } from '../poll/schedule.js';
import { ADAPTIVE_DEFAULTS, adaptiveBackoff } from './adaptive-backoff.js';
import type { ZipJobRef } from '../save-zip/job-ref.js';
import type { ZipProgress } from './snapshot.js';

/** What a custom `backoff` function receives before each wait. */
export interface BackoffContext {
  /** Requests sent so far, the one just answered included. */
  readonly polls: number;
  /** Consecutive answers that showed no change (0 right after a change). */
  readonly unchangedPolls: number;
  /** Consecutive failed polls (0 after a success). */
  readonly failures: number;
  /** The last snapshot emitted, if any. */
  readonly lastProgress: ZipProgress | undefined;
  /** Rate at the latest answer, if known. */
  readonly bytesPerSecond: number | undefined;
  /** ETA at the latest answer, in ms from that answer, if known. */
  readonly etaMs: number | undefined;
  /** ms since the latest successful answer (how stale `etaMs` is); 0 if there was none. */
  readonly msSinceLastAnswer: number;
  /** The error of the poll just failed, else undefined. */
  readonly lastError: unknown;
  /** ms since subscription. */
  readonly elapsedMs: number;
}

/**
 * A schedule: exponential options, or a function of the poll state returning ms to wait (0: the
 * next request goes out as soon as the answer is handled, without a timer; every 65th in a row
 * takes a 0 ms timer so that other timers still run).
 */
export type Backoff = ExponentialBackoffOptions | ((context: BackoffContext) => number);

/** Options shared by every call that talks to pCloud. */
export interface PCloudConnectionOptions extends Credentials {
  /** Base URL; default `https://api.pcloud.com` (US). EU accounts: `https://eapi.pcloud.com`. */
  readonly apiUrl?: string | URL;
  /** A fetch implementation handed to ky (tests, proxies, instrumentation). */
  readonly fetch?: typeof globalThis.fetch;
  /** Aborting stops everything; the stream errors with an `AbortError`. */
  readonly signal?: AbortSignal;
  /**
   * Largest response body read, in bytes after decompression (default 1 MiB; pCloud's answers
   * are a few hundred bytes). A longer body is cancelled and fails with `ResponseDecodeError`.
   */
  readonly maxResponseBytes?: number;
}

/** Options of the polling schedule and its limits. */
export interface PollingOptions {
  /**
   * Schedule between polls. Default: `adaptiveBackoff()`: waits 100 ms .. 4.7 s that grow with the
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
   * `Infinity`). Default: judged from the job (see `allowedSilenceMs`):
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

/** Options of `zipProgress$`: a `progresshash`, or the `job` of a `saveZip$` started event. */
export interface ZipProgressOptions extends PCloudConnectionOptions, PollingOptions {
  /** The key given to `savezip` (required unless `job` is given). */
  readonly progresshash?: string;
  /**
   * A job to re-attach to (from `saveZip$`'s `started` event, possibly stored and read back):
   * supplies the `progresshash` and the host to poll. That host must be the `apiUrl` option's
   * host or one under the same parent domain, same protocol (default `apiUrl`: any
   * `*.pcloud.com` host over https), else a TypeError: the token is sent there.
   */
  readonly job?: ZipJobRef;
}

/**
 * Defaults of the polling options. `stallTimeout` has none: by default the allowed silence is
 * judged from the job (`allowedSilenceMs`, `STALL_DEFAULTS`).
 *
 * @example
 * ```ts
 * const timeout = AbortSignal.timeout(POLLING_DEFAULTS.requestTimeout);
 * ```
 */
export const POLLING_DEFAULTS = {
  requestTimeout: 30_000,
  timeout: Infinity,
  maxRetries: 5,
  notFoundGrace: 15_000,
} as const;

let defaultBackoff: ((context: BackoffContext) => number) | undefined;

/** Polling options after validation, with defaults filled in. */
export interface ResolvedPolling {
  readonly nextDelay: (context: BackoffContext) => number;
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

/** Connection options after validation. */
export interface ResolvedConnection {
  readonly apiUrl: URL;
  readonly credentials: Credentials;
  readonly fetch: typeof globalThis.fetch | undefined;
  readonly signal: AbortSignal | undefined;
  readonly maxResponseBytes: number;
}

/** A value for an error message: numbers as such, anything else by its type. */
function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value;
}

/** An optional duration option: its default when undefined, else validated by the shared rule. */
function duration(name: string, value: unknown, fallback: number, rules: { allowZero?: boolean } = {}): number {
  return value === undefined ? fallback : durationOption(name, value, rules);
}

/**
 * Options as read once: every key present (undefined when not given), so a getter is called
 * once and the value validated is the value used. Listing every key (checked by the compiler
 * through this type) keeps a new option from being read twice.
 */
export type OptionsSnapshot<T> = { readonly [K in keyof Required<T>]: T[K] | undefined };

/** Reads each connection option once. */
export function readConnectionOptions(options: PCloudConnectionOptions): OptionsSnapshot<PCloudConnectionOptions> {
  return { auth: options.auth, accessToken: options.accessToken, apiUrl: options.apiUrl, fetch: options.fetch, signal: options.signal, maxResponseBytes: options.maxResponseBytes };
}

/** Reads each polling option once. */
export function readPollingOptions(options: PollingOptions): OptionsSnapshot<PollingOptions> {
  return {
    backoff: options.backoff,
    requestTimeout: options.requestTimeout,
    timeout: options.timeout,
    stallTimeout: options.stallTimeout,
    maxRetries: options.maxRetries,
    notFoundGrace: options.notFoundGrace,
    scheduler: options.scheduler,
    paused: options.paused,
  };
}

/** Reads every option of `zipProgress$` once (see {@link OptionsSnapshot}). */
export function readZipProgressOptions(options: ZipProgressOptions): OptionsSnapshot<ZipProgressOptions> {
  return { ...readConnectionOptions(options), ...readPollingOptions(options), progresshash: options.progresshash, job: options.job };
}

/** Validates the connection options (read once: see {@link OptionsSnapshot}); throws a TypeError naming the option. */
export function resolveConnection(options: OptionsSnapshot<PCloudConnectionOptions>): ResolvedConnection {
  const credentials: Credentials = { auth: options.auth, accessToken: options.accessToken };
  validateCredentials(credentials);
  // Only a missing apiUrl means the default: null is a mistake, not a request for production.
  if (options.apiUrl === null) throw new TypeError('apiUrl must be a URL (leave it undefined for the default), got null');
  const apiUrl = parseApiUrl(options.apiUrl ?? DEFAULT_API_URL, 'apiUrl', hasCredentials(credentials));
  const { fetch, signal } = options;
  if (fetch !== undefined && typeof fetch !== 'function') throw new TypeError('fetch must be a function');
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function')) {
    throw new TypeError('signal must be an AbortSignal');
  }
  const { maxResponseBytes } = options;
  if (maxResponseBytes !== undefined && !(maxResponseBytes === Infinity || (Number.isSafeInteger(maxResponseBytes) && maxResponseBytes > 0))) {
    throw new TypeError(`maxResponseBytes must be a whole number of bytes > 0 (or Infinity), got ${show(maxResponseBytes)}`);
  }
  return { apiUrl, credentials, fetch, signal, maxResponseBytes: maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES };
}

/** Validates the polling options; throws a TypeError naming the option. */
export function resolvePolling(options: PollingOptions): ResolvedPolling {
  const { backoff } = options;
  let nextDelay: (context: BackoffContext) => number;
  let rateLimitDelay: number = EXPONENTIAL_DEFAULTS.maxDelay;
  if (typeof backoff === 'function') {
    nextDelay = backoff;
  } else if (backoff === undefined) {
    // The default schedule is a pure function: one instance serves every subscription.
    nextDelay = (defaultBackoff ??= adaptiveBackoff());
    // A 429 without Retry-After: wait as long as the schedule's longest wait.
    rateLimitDelay = ADAPTIVE_DEFAULTS.maxDelay;
  } else if (typeof backoff === 'object' && backoff !== null) {
    const resolved = resolveExponential(backoff);
    nextDelay = exponentialBackoff(resolved);
    rateLimitDelay = resolved.maxDelay;
  } else {
    throw new TypeError('backoff must be an options object or a function returning ms');
  }
  const { maxRetries } = options;
  if (maxRetries !== undefined && !(Number.isSafeInteger(maxRetries) && maxRetries >= 0)) {
    throw new TypeError(`maxRetries must be a whole number >= 0, got ${show(maxRetries)}`);
  }
  const { scheduler } = options;
  if (scheduler !== undefined && (typeof scheduler !== 'object' || typeof scheduler.schedule !== 'function')) {
    throw new TypeError('scheduler must be an RxJS SchedulerLike');
  }
  const { paused } = options;
  if (paused !== undefined && !isSubscribable(paused)) throw new TypeError('paused must be an Observable<boolean>');
  return {
    nextDelay,
    rateLimitDelay,
    requestTimeout: duration('requestTimeout', options.requestTimeout, POLLING_DEFAULTS.requestTimeout),
    timeout: duration('timeout', options.timeout, POLLING_DEFAULTS.timeout),
    stallTimeout: options.stallTimeout === undefined ? undefined : durationOption('stallTimeout', options.stallTimeout),
    notFoundGrace: duration('notFoundGrace', options.notFoundGrace, POLLING_DEFAULTS.notFoundGrace, { allowZero: true }),
    maxRetries: maxRetries ?? POLLING_DEFAULTS.maxRetries,
    scheduler: scheduler ?? asyncScheduler,
    paused,
  };
}

/**
 * Validates `progresshash`: a non-empty string that can travel as given. A control character
 * (NUL, CR, LF, ...) is no hash a caller meant, and a lone surrogate cannot be encoded in a form
 * body (it would fail every request with an untyped `URIError`).
 */
export function validateProgressHash(progresshash: unknown): asserts progresshash is string {
  if (typeof progresshash !== 'string' || progresshash.trim() === '') {
    throw new TypeError('progresshash must be a non-empty string');
  }
  if (/\p{Cc}/u.test(progresshash)) throw new TypeError('progresshash contains a control character (NUL, CR, LF, ...)');
  // With the u flag, \p{Cs} matches only a surrogate that is not part of a pair.
  if (/\p{Cs}/u.test(progresshash)) throw new TypeError('progresshash contains a lone surrogate (not valid UTF-16 text)');
}

/** The client configuration both `zipProgress$` and `saveZip$` call pCloud with. */
export function clientConfig(connection: ResolvedConnection, polling: ResolvedPolling): PCloudClientConfig {
  return {
    apiUrl: connection.apiUrl,
    credentials: connection.credentials,
    fetch: connection.fetch,
    maxResponseBytes: connection.maxResponseBytes,
    requestTimeout: polling.requestTimeout,
    scheduler: polling.scheduler,
  };
}
