import { defer, Observable, of, switchMap, type Subscription } from 'rxjs';
import { ProgressTimeoutError } from '../errors/progress-timeout-error.js';
import { callPCloud$ } from '../pcloud/client.js';
import { type PCloudFileMetadata, SaveZipBody } from '../pcloud/codecs.js';
import { pinServer$ } from '../pcloud/pin-server.js';
import { newProgressHash } from '../pcloud/progress-hash.js';
import { abortable } from '../poll/abortable.js';
import { failAfter } from '../poll/fail-after.js';
import { clientConfig, resolveConnection, resolvePolling } from '../zip-progress/options.js';
import type { ZipProgress } from '../zip-progress/snapshot.js';
import { observeZipProgress } from '../zip-progress/watch.js';
import { readSaveZipOptions, type SaveZipOptions, saveZipParams } from './options.js';

/**
 * What `saveZip$` emits: progress while pCloud zips, then the saved zip's metadata (last).
 */
export type SaveZipEvent =
  | { readonly type: 'progress'; readonly progress: ZipProgress }
  | { readonly type: 'saved'; readonly metadata: PCloudFileMetadata };

/** The last snapshot brought to 100%: the zip exists, whatever the last poll saw. */
function finished(last: ZipProgress, elapsedMs: number): ZipProgress {
  return {
    ...last,
    files: last.totalfiles,
    bytes: last.totalbytes,
    fraction: 1,
    done: true,
    etaMs: 0,
    elapsedMs,
  };
}

/**
 * Starts a zip in the user's pCloud filesystem with `savezip` and observes it: emits
 * `{type: 'progress'}` events while pCloud zips (from `savezipprogress`, polled on the same
 * schedule as {@link zipProgress$}), then one `{type: 'saved', metadata}` with the new file's
 * metadata, and completes. Like Angular's `HttpClient` with `reportProgress`.
 *
 * Each subscription starts its own zip with a fresh random `progresshash`. By default it first
 * asks `currentserver` and sends `savezip` and the progress polls to that host (falling back to
 * `apiUrl` if that fails). A `savezip` error (2003 access denied, 2004 already exists, 2008 over
 * quota, ...) fails the stream with `PCloudApiError`; a progress failure fails it too (the zip
 * may still be created server-side). `timeout` bounds the whole operation. Unsubscribing
 * aborts both requests.
 *
 * @throws TypeError synchronously, before any request, when the tree, destination or another
 * option is invalid.
 *
 * @example
 * ```ts
 * import { saveZip$ } from 'pcloud-zip-progress';
 *
 * saveZip$({ auth, folderid: 12345, topath: '/backups/photos.zip' }).subscribe((event) => {
 *   if (event.type === 'progress') bar.update(event.progress.fraction);
 *   else console.log('saved', event.metadata.path, event.metadata.size);
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

  return defer(() => {
    const progresshash = newProgressHash();
    const host$ = snapshot.pinServer === false ? of(connection.apiUrl) : pinServer$(client);
    let last: ZipProgress | undefined;

    const job$ = host$.pipe(
      switchMap(
        (apiUrl) =>
          new Observable<SaveZipEvent>((subscriber) => {
            // The time origin of the snapshots: polling starts here, after currentserver.
            const start = scheduler.now();
            // The deadline covers the whole operation (below), not only the polling.
            const progress$ = observeZipProgress(progresshash, { ...connection, apiUrl, signal: undefined }, { ...polling, timeout: Infinity });
            // savezip answers only when the zip exists: no request timeout for it.
            const save$ = callPCloud$({ ...client, apiUrl, requestTimeout: Infinity }, 'savezip', { ...params, progresshash }, SaveZipBody);
            let progress: Subscription | undefined = undefined;
            const save = save$.subscribe({
              next: ({ metadata }) => {
                progress?.unsubscribe();
                if (last !== undefined && !last.done) subscriber.next({ type: 'progress', progress: finished(last, scheduler.now() - start) });
                subscriber.next({ type: 'saved', metadata });
                subscriber.complete();
              },
              error: (error: unknown) => {
                subscriber.error(error);
              },
            });
            progress = progress$.subscribe({
              next: (snapshot) => {
                last = snapshot;
                subscriber.next({ type: 'progress', progress: snapshot });
              },
              error: (error: unknown) => {
                subscriber.error(error);
              },
              // Progress may reach files = totalfiles before savezip answers: wait for it.
            });
            return () => {
              save.unsubscribe();
              progress?.unsubscribe();
            };
          }),
      ),
    );
    return job$.pipe(failAfter(polling.timeout, () => new ProgressTimeoutError({ reason: 'deadline', timeoutMs: polling.timeout, lastProgress: last }), scheduler));
  }).pipe(abortable(connection.signal));
}
