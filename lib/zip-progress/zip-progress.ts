import { defer, map, Observable, tap, throwError, timeout } from 'rxjs';
import { PCloudApiError } from '../errors/pcloud-api-error.js';
import { ProgressTimeoutError } from '../errors/progress-timeout-error.js';
import { TransportError } from '../errors/transport-error.js';
import { callPCloud$, type PCloudClientConfig } from '../pcloud/client.js';
import { SaveZipProgressBody } from '../pcloud/codecs.js';
import { PCloudErrorCode } from '../pcloud/error-codes.js';
import { abortable } from '../poll/abortable.js';
import { failAfter } from '../poll/fail-after.js';
import { poll, type PollContext, type PollVerdict } from '../poll/poll.js';
import {
  type ResolvedConnection,
  type ResolvedPolling,
  resolveConnection,
  resolvePolling,
  validateProgressHash,
  type ZipProgressOptions,
} from './options.js';
import { estimateRate, type ProgressSample } from './rate.js';
import { isZipDone, progressFraction, sameCounts, type ZipProgress } from './snapshot.js';

/**
 * Decides what a failed poll means. 1901 before any snapshot and within the grace period is a
 * job not registered yet; pCloud's "try later" codes, network failures, timeouts, 408, 429 and
 * 5xx are retried; everything else is final.
 */
function classify(polling: ResolvedPolling, error: unknown, context: PollContext<ZipProgress>): PollVerdict {
  if (error instanceof PCloudApiError) {
    if (error.code === PCloudErrorCode.ZipNotFound && context.last === undefined && context.elapsedMs < polling.notFoundGrace) {
      return { kind: 'pending' };
    }
    if (!error.transient) return { kind: 'fatal' };
    return error.code === PCloudErrorCode.TooManyRequests ? { kind: 'retry', minDelayMs: polling.rateLimitDelay } : { kind: 'retry' };
  }
  if (error instanceof TransportError && error.transient) {
    const minDelayMs = error.retryAfterMs ?? (error.status === 429 ? polling.rateLimitDelay : undefined);
    return minDelayMs === undefined ? { kind: 'retry' } : { kind: 'retry', minDelayMs };
  }
  return { kind: 'fatal' };
}

/**
 * Observes a resolved configuration; shared by `zipProgress$` and `saveZip$` (which pins the
 * host and validates its own options).
 */
export function observeZipProgress(progresshash: string, connection: ResolvedConnection, polling: ResolvedPolling): Observable<ZipProgress> {
  const { scheduler } = polling;
  const client: PCloudClientConfig = {
    apiUrl: connection.apiUrl,
    credentials: connection.credentials,
    fetch: connection.fetch,
    requestTimeout: polling.requestTimeout,
    scheduler,
  };
  return defer(() => {
    const start = scheduler.now();
    let first: ProgressSample | undefined;
    let latest: ZipProgress | undefined;
    let emitted: ZipProgress | undefined;

    const request = (): Observable<ZipProgress> =>
      callPCloud$(client, 'savezipprogress', { progresshash }, SaveZipProgressBody).pipe(
        map(({ files, totalfiles, bytes, totalbytes }) => {
          const elapsedMs = scheduler.now() - start;
          first ??= { atMs: elapsedMs, files, bytes };
          const counts = { files, totalfiles, bytes, totalbytes };
          latest = { ...counts, fraction: progressFraction(counts), done: isZipDone(counts), elapsedMs, ...estimateRate(first, elapsedMs, counts) };
          return latest;
        }),
      );

    const progress$ = poll<ZipProgress>({
      request,
      equals: sameCounts,
      isDone: (snapshot) => snapshot.done,
      classify: (error, context) => classify(polling, error, context),
      nextDelay: (context) =>
        polling.nextDelay({
          polls: context.polls,
          unchangedPolls: context.unchangedPolls,
          failures: context.failures,
          lastProgress: context.last,
          bytesPerSecond: latest?.bytesPerSecond,
          etaMs: latest?.etaMs,
          msSinceLastAnswer: latest === undefined ? 0 : context.elapsedMs - latest.elapsedMs,
          lastError: context.lastError,
          elapsedMs: context.elapsedMs,
        }),
      maxRetries: polling.maxRetries,
      scheduler,
    }).pipe(
      tap((snapshot) => {
        emitted = snapshot;
      }),
    );

    const stallGuarded = Number.isFinite(polling.stallTimeout)
      ? progress$.pipe(
          // Only changes are emitted, so "no emission for stallTimeout" is exactly a stall.
          timeout({
            each: polling.stallTimeout,
            scheduler,
            with: () => throwError(() => new ProgressTimeoutError('stall', polling.stallTimeout, emitted)),
          }),
        )
      : progress$;
    return stallGuarded.pipe(failAfter(polling.timeout, () => new ProgressTimeoutError('deadline', polling.timeout, emitted), scheduler));
  }).pipe(abortable(connection.signal));
}

/**
 * Observes a pCloud zip job started with `savezip`: polls `savezipprogress` one request at a
 * time, emits a {@link ZipProgress} each time the progress changes (the first answer always),
 * and completes right after the snapshot where `files` reaches `totalfiles`.
 *
 * Cold and lazy: nothing is sent before you subscribe, and each subscription polls on its own.
 * Unsubscribing aborts the request in flight and clears every timer.
 *
 * Fails with `PCloudApiError` (pCloud refused: 1000, 2000, 4000, 1901 after progress was seen,
 * ...), `TransportError` (network, timeout or HTTP failure after `maxRetries` retries, or at once
 * for a non-retryable status), `ResponseDecodeError` (a body that is not pCloud's documented
 * shape), `ProgressTimeoutError` (`timeout` or `stallTimeout`) or `AbortError` (`signal`).
 *
 * @throws TypeError synchronously, before any request, when an option is invalid.
 *
 * @example
 * ```ts
 * import { zipProgress$ } from 'pcloud-zip-progress';
 *
 * zipProgress$({ progresshash, auth: token, apiUrl: 'https://eapi.pcloud.com' }).subscribe({
 *   next: (p) => console.log(`${Math.round(p.fraction * 100)}% (${p.files}/${p.totalfiles})`),
 *   complete: () => console.log('zip ready'),
 *   error: (e) => console.error(e.name, e.message),
 * });
 * ```
 */
export function zipProgress$(options: ZipProgressOptions): Observable<ZipProgress> {
  if (typeof options !== 'object' || options === null) throw new TypeError('zipProgress$ needs an options object');
  validateProgressHash(options.progresshash);
  return observeZipProgress(options.progresshash, resolveConnection(options), resolvePolling(options));
}
