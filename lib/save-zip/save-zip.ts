import { defer, Observable, of, switchMap, type Subscription } from 'rxjs';
import { ProgressTimeoutError } from '../errors/progress-timeout-error.js';
import { TransportError } from '../errors/transport-error.js';
import { callPCloud$, type PCloudParams } from '../pcloud/client.js';
import { type PCloudFileMetadata, SaveZipBody } from '../pcloud/codecs.js';
import { savezipHint } from '../pcloud/hints.js';
import { pinServer$ } from '../pcloud/pin-server.js';
import { newProgressHash } from '../pcloud/progress-hash.js';
import { abortable } from '../poll/abortable.js';
import { failAfter } from '../poll/fail-after.js';
import { scheduleAfter } from '../poll/schedule-after.js';
import { clientConfig, resolveConnection } from '../pcloud/connection-options.js';
import { resolvePolling } from '../zip-progress/polling-options.js';
import { estimateRate } from '../zip-progress/rate.js';
import type { ZipProgress } from '../zip-progress/snapshot.js';
import { waitEvent, type ZipWaitEvent } from '../zip-progress/events.js';
import { observeZipProgress } from '../zip-progress/watch.js';
import { jobRefOf, type ZipJobRef } from '../zip-progress/job-ref.js';
import { readSaveZipOptions, type SaveZipOptions, saveZipParams } from './options.js';

/**
 * What `saveZip$` emits: `started` once `savezip` is sent (the job, to hand over or store),
 * progress while pCloud zips, then the saved zip's metadata (last). Between them, each wait of
 * the progress polling as it starts ({@link ZipWaitEvent}: `retrying`, `waiting`, `paused`,
 * `resumed`), as `zipProgressEvents$` emits them. New types may be added: ignore those you do
 * not handle.
 */
export type SaveZipEvent =
  | { readonly type: 'started'; readonly job: ZipJobRef }
  | { readonly type: 'progress'; readonly progress: ZipProgress }
  | { readonly type: 'saved'; readonly metadata: PCloudFileMetadata }
  | ZipWaitEvent;

/**
 * The last snapshot brought to 100%: the zip exists, whatever the last poll saw. Its rate is the
 * average from the first snapshot to now (the last poll's rate is older and lower).
 */
function finished(first: ZipProgress, last: ZipProgress, elapsedMs: number): ZipProgress {
  const { bytesPerSecond } = estimateRate({ atMs: first.elapsedMs, files: first.files, bytes: first.bytes }, elapsedMs, {
    files: last.totalfiles,
    totalfiles: last.totalfiles,
    bytes: last.totalbytes,
    totalbytes: last.totalbytes,
  });
  return {
    ...last,
    files: last.totalfiles,
    bytes: last.totalbytes,
    fraction: 1,
    done: true,
    etaMs: 0,
    elapsedMs,
    bytesPerSecond,
  };
}

/** Where the zip goes, for messages: its path, or its name and folder. */
function destinationOf(params: PCloudParams): string {
  return params.topath !== undefined ? String(params.topath) : `${String(params.toname)} in folder ${String(params.tofolderid)}`;
}

/** savezip's connection was lost, and progress then reached done: the zip most likely exists. */
function lostAfterDone(lost: TransportError, destination: string): TransportError {
  return new TransportError({
    kind: lost.kind,
    method: 'savezip',
    transient: false,
    ...(lost.status === undefined ? {} : { status: lost.status }),
    message: `the connection was lost before the answer (${lost.message}); progress then reached done, so the zip most likely exists at ${destination}`,
    cause: lost,
  });
}

/** Progress reached done, but savezip's answer did not come within `ms`. */
function noAnswerAfterDone(ms: number, destination: string): TransportError {
  return new TransportError({
    kind: 'timeout',
    method: 'savezip',
    transient: false,
    message: `no answer within ${ms} ms after progress reached done; the zip may well exist at ${destination}`,
  });
}

/**
 * Starts a zip in the user's pCloud filesystem with `savezip` and observes it: emits
 * `{type: 'started', job}` as soon as `savezip` is sent (a JSON-safe {@link ZipJobRef}: store it
 * to re-attach with `zipProgress$({ job, auth })` from another process or after a reload), then
 * `{type: 'progress'}` events while pCloud zips (from `savezipprogress`, polled on the same
 * schedule as {@link zipProgress$}), then one `{type: 'saved', metadata}` with the new file's
 * metadata, and completes. Like Angular's `HttpClient` with `reportProgress`. While progress
 * polling waits, it says why ({@link ZipWaitEvent}): `retrying` before each retry of a failed
 * poll (with the error, the attempt and the delay), `waiting` while pCloud has not registered the
 * job yet, `paused` and `resumed` with the `paused` option.
 *
 * Each subscription starts its own zip with a fresh random `progresshash`. By default it first
 * asks `currentserver` and sends `savezip` and the progress polls to that host (falling back to
 * `apiUrl` if that fails). A `savezip` error (2003 access denied, 2004 already exists, 2008 over
 * quota, ...) fails the stream with `PCloudApiError`; a progress failure fails it too (the zip
 * may still be created server-side). `timeout` bounds the whole operation. Unsubscribing
 * aborts both requests.
 *
 * `savezip` is never sent twice (a second call would start a second zip, or fail with 2004).
 * Once progress reports the zip done, its answer is awaited for `requestTimeout` at most, then
 * the stream fails with `TransportError` (`kind: 'timeout'`, `method: 'savezip'`) saying the zip
 * may well exist at its destination. If the `savezip` connection fails (network, HTTP 408,
 * 429 or 5xx) while pCloud zips, progress is still observed: once it reaches done, the stream
 * fails with a `TransportError` (`method: 'savezip'`, the lost connection as `cause`) saying the
 * zip most likely exists at its destination; if progress fails first, with that error (or with
 * the `savezip` error when no progress was ever seen: the zip never started).
 *
 * @throws TypeError synchronously, before any request, when the tree, destination or another
 * option is invalid, or when given `job` or `progresshash`: those watch a job that exists
 * (`zipProgress$`), where `saveZip$` would start another. Other unknown keys are ignored.
 *
 * @example
 * ```ts
 * import { saveZip$ } from 'pcloud-zip-progress';
 *
 * saveZip$({ auth, folderid: 12345, topath: '/backups/photos.zip' }).subscribe((event) => {
 *   if (event.type === 'started') console.log('job', JSON.stringify(event.job));
 *   else if (event.type === 'progress') bar.update(event.progress.fraction);
 *   else if (event.type === 'retrying') console.log(`retrying in ${event.delayMs} ms: ${event.error.message}`);
 *   else if (event.type === 'saved') console.log('saved', event.metadata.path, event.metadata.size);
 * });
 * ```
 */
export function saveZip$(options: SaveZipOptions): Observable<SaveZipEvent> {
  if (typeof options !== 'object' || options === null) throw new TypeError('saveZip$ needs an options object');
  // Each option is read once: a getter cannot hand validation one value and the request another.
  const snapshot = readSaveZipOptions(options);
  const params = saveZipParams(snapshot);
  const connection = resolveConnection(snapshot);
  const polling = resolvePolling(snapshot);
  const { scheduler } = polling;
  const client = clientConfig(connection, polling);
  const destination = destinationOf(params);

  return defer(() => {
    const progresshash = newProgressHash();
    const host$ = snapshot.pinServer === false ? of(connection.apiUrl) : pinServer$(client, connection.trustedHosts);
    let first: ZipProgress | undefined;
    let last: ZipProgress | undefined;

    // Hand-rolled, not a composition of operators: the two requests depend on each other both
    // ways. savezip's answer cancels progress and may emit a final snapshot; a lost savezip
    // connection does not end the stream but changes what progress reaching done means; progress
    // reaching done arms the wait for savezip's answer. With merge/takeUntil/catchError the same
    // flags (`lost`, `progressDone`) would still be shared state, split over more closures. Not
    // for speed: this runs once per zip, its polls go through the same poller as zipProgress$.
    // `first` and `last` live out here because the deadline's error (below) reports the last
    // snapshot seen.
    const job$ = host$.pipe(
      switchMap(
        (apiUrl) =>
          new Observable<SaveZipEvent>((subscriber) => {
            // The time origin of the snapshots: polling starts here, after currentserver.
            const start = scheduler.now();
            // The deadline covers the whole operation (below), not only the polling.
            const progress$ = observeZipProgress(progresshash, { ...connection, apiUrl, signal: undefined }, { ...polling, timeout: Infinity }, (wait) => {
              subscriber.next(waitEvent(wait));
            });
            // savezip answers only when the zip exists: no request timeout while it zips; once
            // progress is done, the answer is waited for `requestTimeout` at most (below).
            const save$ = callPCloud$({ ...client, apiUrl, requestTimeout: Infinity, hint: savezipHint }, 'savezip', { ...params, progresshash }, SaveZipBody);
            let progress: Subscription | undefined = undefined;
            let answerWait: Subscription | undefined = undefined;
            let progressDone = false;
            /** savezip's connection failed while pCloud may still be zipping. */
            let lost: TransportError | undefined;
            const progressReachedDone = (): void => {
              progressDone = true;
              if (lost !== undefined) {
                subscriber.error(lostAfterDone(lost, destination));
                return;
              }
              // A dropped or half-open connection would keep savezip waiting forever.
              answerWait = scheduleAfter(scheduler, polling.requestTimeout, () => {
                subscriber.error(noAnswerAfterDone(polling.requestTimeout, destination));
              }, undefined);
            };
            const sentAt = scheduler.now();
            const save = save$.subscribe({
              next: ({ metadata }) => {
                progress?.unsubscribe();
                if (first !== undefined && last !== undefined && !last.done) {
                  subscriber.next({ type: 'progress', progress: finished(first, last, scheduler.now() - start) });
                }
                subscriber.next({ type: 'saved', metadata });
                subscriber.complete();
              },
              error: (error: unknown) => {
                // pCloud refused (PCloudApiError), answered garbage, or a proxy refused the call
                // (HTTP 4xx): final. A lost connection (network, 408, 429, 5xx) says nothing about
                // the zip, and resending savezip would start a second one (2004): keep observing
                // progress instead.
                if (!(error instanceof TransportError && error.transient)) subscriber.error(error);
                else if (progressDone) subscriber.error(lostAfterDone(error, destination));
                else lost = error;
              },
            });
            // savezip is on its way: the job can be handed over from now on.
            subscriber.next({ type: 'started', job: jobRefOf(progresshash, apiUrl, params, sentAt) });
            if (subscriber.closed) return save;
            progress = progress$.subscribe({
              next: (current) => {
                first ??= current;
                last = current;
                subscriber.next({ type: 'progress', progress: current });
              },
              error: (error: unknown) => {
                // After a lost savezip, no progress ever seen means the zip never started: its
                // own error says why better than "Zip not found".
                subscriber.error(lost !== undefined && last === undefined ? lost : error);
              },
              // Progress may reach files = totalfiles before savezip answers: wait for it.
              complete: progressReachedDone,
            });
            return () => {
              save.unsubscribe();
              progress?.unsubscribe();
              answerWait?.unsubscribe();
            };
          }),
      ),
    );
    return job$.pipe(failAfter(polling.timeout, () => new ProgressTimeoutError({ reason: 'deadline', timeoutMs: polling.timeout, lastProgress: last }), scheduler));
  }).pipe(abortable(connection.signal));
}
