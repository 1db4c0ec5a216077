import { PCloudApiError } from '../errors/pcloud-api-error.js';
import { TransportError } from '../errors/transport-error.js';
import { isRateLimitCode, PCloudErrorCode } from '../pcloud/error-codes.js';
import type { PollContext, PollVerdict } from '../poll/poll.js';
import type { ResolvedPolling } from './polling-options.js';
import { rateLimitWait } from './rate-limit-wait.js';
import type { ZipProgress } from './snapshot.js';

// Verdicts without data are shared: they are read, never changed.
const PENDING: PollVerdict = { kind: 'pending' };
const FATAL: PollVerdict = { kind: 'fatal' };
const RETRY: PollVerdict = { kind: 'retry' };

/**
 * Decides what a failed `savezipprogress` poll means. 1901 before any snapshot and within the
 * grace period is a job not registered yet; pCloud's transient codes (every 5xxx, and every
 * 4xxx, 4000 included, after the long growing wait of `rateLimitWait`), network failures,
 * timeouts, 408, 429 and 5xx are retried; everything else is final.
 */
export function classifyProgressError(polling: ResolvedPolling, error: unknown, context: PollContext<ZipProgress>): PollVerdict {
  if (error instanceof PCloudApiError) {
    if (error.code === PCloudErrorCode.ZipNotFound && context.last === undefined && context.elapsedMs < polling.notFoundGrace) {
      return PENDING;
    }
    if (!error.transient) return FATAL;
    // context.failures counts the failures before this one.
    return isRateLimitCode(error.code) ? { kind: 'retry', minDelayMs: rateLimitWait(polling.rateLimitDelay, context.failures + 1) } : RETRY;
  }
  if (error instanceof TransportError && error.transient) {
    const minDelayMs = error.retryAfterMs ?? (error.status === 429 ? polling.rateLimitDelay : undefined);
    return minDelayMs === undefined ? RETRY : { kind: 'retry', minDelayMs };
  }
  return FATAL;
}
