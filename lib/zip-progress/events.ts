import type { PCloudApiError } from '../errors/pcloud-api-error.js';
import type { TransportError } from '../errors/transport-error.js';
import type { PollWait } from '../poll/poll.js';
import type { ZipProgress } from './snapshot.js';

/**
 * Why a zip's stream emits nothing for a while, told as the wait starts. Each names the state
 * the stream enters, until the next event (progress resumes after any of them):
 * - `retrying`: a poll failed with a transient `error` (5xxx, 4xxx rate limiting, a dropped
 *   connection, a timeout, HTTP 408, 429 or 5xx); the `attempt`-th retry in a row (1 to
 *   `maxRetries`, given too, so a UI can say "attempt 2 of 5") is sent after `delayMs` (a
 *   `Retry-After` or a rate-limit wait included).
 *   `error` is the instance the stream would have failed with had no retry been left (a
 *   `PCloudApiError` or `TransportError`, scrubbed of any credential, without server text).
 * - `waiting`: pCloud does not know the job yet (1901 within `notFoundGrace`, normal right after
 *   `savezip`); the next poll goes out after `delayMs`. Not a failure: no `error`, no attempt.
 * - `paused` / `resumed`: the `paused` option turned true / false. No poll goes out in between.
 *
 * No credential and no server text appear in any event.
 */
export type ZipWaitEvent =
  | { readonly type: 'retrying'; readonly error: PCloudApiError | TransportError; readonly attempt: number; readonly maxRetries: number; readonly delayMs: number }
  | { readonly type: 'waiting'; readonly reason: 'not-registered'; readonly delayMs: number }
  | { readonly type: 'paused' }
  | { readonly type: 'resumed' };

/**
 * What `zipProgressEvents$` emits: each new snapshot as `progress` (what `zipProgress$` emits,
 * wrapped), and each wait as a {@link ZipWaitEvent}. `saveZip$` emits the same events.
 */
export type ZipProgressEvent = { readonly type: 'progress'; readonly progress: ZipProgress } | ZipWaitEvent;

const PAUSED: ZipWaitEvent = { type: 'paused' };
const RESUMED: ZipWaitEvent = { type: 'resumed' };

/**
 * The public event of a poller's wait. After a failure wait or a resume, an answer that shows
 * nothing new is told as `recovered`: it is emitted all the same, so that a UI leaves its
 * "Reconnecting…" state (progress events resume after every wait), with the same counts as the
 * latest snapshot but its own `elapsedMs`, rate and ETA, read now (the wait's time counted), not
 * the stale ones. A zip poll is `pending` only for 1901 before the job is registered
 * (classifyProgressError), and retried only for `PCloudApiError` or `TransportError`.
 */
export function waitEvent(wait: PollWait<ZipProgress>): ZipProgressEvent {
  switch (wait.kind) {
    case 'retry':
      return { type: 'retrying', error: wait.error as PCloudApiError | TransportError, attempt: wait.attempt, maxRetries: wait.maxRetries, delayMs: wait.delayMs };
    case 'pending':
      return { type: 'waiting', reason: 'not-registered', delayMs: wait.delayMs };
    case 'paused':
      return PAUSED;
    case 'resumed':
      return RESUMED;
    case 'recovered':
      return { type: 'progress', progress: wait.value };
  }
}
