import type { ExponentialBackoffOptions } from '../poll/exponential-backoff.js';
import type { ZipProgress } from './snapshot.js';

/**
 * What a backoff (the function that picks the wait before the next poll) receives: the poller's
 * counters plus what the latest answer said about the job (rate, ETA). The one context of every
 * backoff, `adaptiveBackoff` and `exponentialBackoff` included.
 */
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
 * A backoff: exponential options, or a function of the poll state returning ms to wait (0: the
 * next request goes out as soon as the answer is handled, without a timer; every 65th in a row
 * takes a 0 ms timer so that other timers still run).
 */
export type Backoff = ExponentialBackoffOptions | ((context: BackoffContext) => number);
