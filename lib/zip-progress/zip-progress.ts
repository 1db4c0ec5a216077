import { map, Observable, type Subscription } from 'rxjs';
import { PCloudApiError } from '../errors/pcloud-api-error.js';
import { ProgressTimeoutError } from '../errors/progress-timeout-error.js';
import { TransportError } from '../errors/transport-error.js';
import { callPCloud$, type PCloudParams } from '../pcloud/client.js';
import { SaveZipProgressBody } from '../pcloud/codecs.js';
import { PCloudErrorCode } from '../pcloud/error-codes.js';
import { abortable } from '../poll/abortable.js';
import { poll, type PollContext, type PollVerdict } from '../poll/poll.js';
import {
  clientConfig,
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

/** Whether a snapshot is final (pCloud's rule, computed once per answer). */
const isDone = (snapshot: ZipProgress): boolean => snapshot.done;

/**
 * Observes a resolved configuration; shared by `zipProgress$` and `saveZip$` (which pins the
 * host and validates its own options).
 *
 * One Observable per subscription holds the poller, the overall deadline and the stall timer,
 * so a subscription waiting between polls holds one subscriber chain and one timer per guard,
 * not an operator chain (thousands of them may wait in one process).
 */
export function observeZipProgress(progresshash: string, connection: ResolvedConnection, polling: ResolvedPolling): Observable<ZipProgress> {
  const { scheduler, stallTimeout, timeout: deadlineMs } = polling;
  const client = clientConfig(connection, polling);
  // Built once: every poll of every subscription sends the same parameters.
  const params: PCloudParams = { progresshash };
  const classifyError = (error: unknown, context: PollContext<ZipProgress>): PollVerdict => classify(polling, error, context);
  const guardStall = Number.isFinite(stallTimeout);

  const watched = new Observable<ZipProgress>((subscriber) => {
    const start = scheduler.now();
    let first: ProgressSample | undefined;
    let latest: ZipProgress | undefined;
    let emitted: ZipProgress | undefined;

    // The overall deadline is armed before the first request.
    const deadline = Number.isFinite(deadlineMs)
      ? scheduler.schedule(() => {
          subscriber.error(new ProgressTimeoutError('deadline', deadlineMs, emitted));
        }, deadlineMs)
      : undefined;

    const snapshot = ({ files, totalfiles, bytes, totalbytes }: SaveZipProgressBody): ZipProgress => {
      const elapsedMs = scheduler.now() - start;
      first ??= { atMs: elapsedMs, files, bytes };
      const counts = { files, totalfiles, bytes, totalbytes };
      latest = { ...counts, fraction: progressFraction(counts), done: isZipDone(counts), elapsedMs, ...estimateRate(first, elapsedMs, counts) };
      return latest;
    };

    const progress$ = poll<ZipProgress>({
      request: () => callPCloud$(client, 'savezipprogress', params, SaveZipProgressBody).pipe(map(snapshot)),
      equals: sameCounts,
      isDone,
      classify: classifyError,
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
    });

    // Only changes are emitted, so "no emission for stallTimeout" is exactly a stall. On expiry
    // the polling is cancelled first, then the stream fails (as rxjs `timeout` did).
    let stall: Subscription | undefined;
    const onStall = (): void => {
      // Armed only once polling$ is assigned below (a stall fires on the scheduler, later).
      polling$.unsubscribe();
      subscriber.error(new ProgressTimeoutError('stall', stallTimeout, emitted));
    };
    const polling$ = progress$.subscribe({
      next: (value) => {
        emitted = value;
        stall?.unsubscribe();
        subscriber.next(value);
        // Not when the consumer unsubscribed inside next (take(1), firstValueFrom...).
        if (guardStall && !subscriber.closed) stall = scheduler.schedule(onStall, stallTimeout);
      },
      error: (error: unknown) => {
        subscriber.error(error);
      },
      complete: () => {
        subscriber.complete();
      },
    });
    if (guardStall && stall === undefined && !subscriber.closed) stall = scheduler.schedule(onStall, stallTimeout);
    return () => {
      deadline?.unsubscribe();
      stall?.unsubscribe();
      polling$.unsubscribe();
    };
  });
  return watched.pipe(abortable(connection.signal));
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
