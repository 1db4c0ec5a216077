import { defer, filter, repeat, retry, takeWhile, throwError, timer, type Observable, type SchedulerLike } from 'rxjs';

/** The longest wait platform timers can hold. */
const MAX_TIMER_MS = 2_147_483_647;

/** What the generic poller knows when it picks the next wait or judges an error. */
export interface PollContext<T> {
  /** Requests sent so far, the one just answered included. */
  readonly polls: number;
  /** Consecutive successful polls that saw no change (0 right after a change). */
  readonly unchangedPolls: number;
  /** Consecutive failed polls (0 after a success). */
  readonly failures: number;
  /** The last value emitted. */
  readonly last: T | undefined;
  /** The error of the last poll if it failed, else undefined. */
  readonly lastError: unknown;
  /** ms since subscription, on the poller's scheduler. */
  readonly elapsedMs: number;
}

/**
 * How a failed poll is handled: `fatal` ends the stream with the error; `retry` counts a
 * failure toward `maxRetries` and waits at least `minDelayMs` (a server's hint); `pending` means
 * "no news yet" and polls again on the normal schedule without counting a failure.
 */
export type PollVerdict = { readonly kind: 'fatal' } | { readonly kind: 'retry'; readonly minDelayMs?: number } | { readonly kind: 'pending' };

/** The generic poller's inputs. */
export interface PollConfig<T> {
  /** One cold request: emits one value and completes, or errors; unsubscribing cancels it. */
  readonly request: () => Observable<T>;
  /** Whether two answers show the same progress (unchanged answers are not emitted). */
  readonly equals: (a: T, b: T) => boolean;
  /** Whether a value is final: it is emitted and the stream completes. */
  readonly isDone: (value: T) => boolean;
  /** What a failed request means: wait and retry, keep waiting (pending), or fail the stream. */
  readonly classify: (error: unknown, context: PollContext<T>) => PollVerdict;
  /** ms to wait before the next request, after a success or a failure. */
  readonly nextDelay: (context: PollContext<T>) => number;
  /** Consecutive retryable failures tolerated; the next one fails the stream. */
  readonly maxRetries: number;
  /** Clock and timers of the waits (a TestScheduler or VirtualTimeScheduler in tests). */
  readonly scheduler: SchedulerLike;
}

/**
 * Polls `request` one request at a time until a value `isDone`: emits each value that differs
 * from the last one emitted, waits `nextDelay` between polls (after the answer was handled, so
 * requests never overlap), retries what `classify` calls retryable, and fails on the rest.
 * Cold: each subscription has its own state and timers; unsubscribing cancels the request in
 * flight and the pending wait.
 *
 * @example
 * ```ts
 * poll({
 *   request: () => from(fetchStatus()),
 *   equals: (a, b) => a.percent === b.percent,
 *   isDone: (s) => s.percent === 100,
 *   classify: () => ({ kind: 'retry' }),
 *   nextDelay: () => 1000,
 *   maxRetries: 3,
 *   scheduler: asyncScheduler,
 * }).subscribe(console.log);
 * ```
 */
export function poll<T>(config: PollConfig<T>): Observable<T> {
  const { request, equals, isDone, classify, nextDelay, maxRetries, scheduler } = config;
  return defer(() => {
    const start = scheduler.now();
    let polls = 0;
    let unchangedPolls = 0;
    let failures = 0;
    let last: T | undefined;
    let lastError: unknown;
    const context = (): PollContext<T> => ({ polls, unchangedPolls, failures, last, lastError, elapsedMs: scheduler.now() - start });
    const wait = (atLeast = 0): Observable<0> => {
      const ms = nextDelay(context());
      if (!(typeof ms === 'number' && ms >= 0 && Number.isFinite(ms))) {
        throw new TypeError(`backoff returned ${String(ms)}: it must return a finite number of ms >= 0`);
      }
      // Platform timers overflow past 2^31-1 ms (~24.8 days) and would fire at once.
      return timer(Math.min(Math.max(ms, atLeast), MAX_TIMER_MS), scheduler);
    };

    return defer(() => {
      polls += 1;
      return request();
    }).pipe(
      retry({
        delay: (error: unknown) => {
          lastError = error;
          const verdict = classify(error, context());
          if (verdict.kind === 'fatal') return throwError(() => error);
          if (verdict.kind === 'pending') {
            // The server answered: the failures-in-a-row streak is broken.
            failures = 0;
            unchangedPolls += 1;
            return wait();
          }
          failures += 1;
          if (failures > maxRetries) return throwError(() => error);
          return wait(verdict.minDelayMs);
        },
      }),
      // Book-keeping for the schedule, then drop answers that show nothing new.
      filter((value) => {
        failures = 0;
        lastError = undefined;
        if (last !== undefined && equals(last, value)) {
          unchangedPolls += 1;
          return false;
        }
        last = value;
        unchangedPolls = 0;
        return true;
      }),
      // The next poll is armed only after this one was answered and handled.
      repeat({ delay: () => wait() }),
      // Inclusive: the final value is emitted, then completion unsubscribes before any new wait.
      takeWhile((value) => !isDone(value), true),
    );
  });
}
