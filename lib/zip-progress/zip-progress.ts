import type { Observable } from 'rxjs';
import { resolveConnection, type ResolvedConnection } from '../pcloud/connection-options.js';
import { hasCredentials } from '../pcloud/credentials.js';
import { validateProgressHash } from '../pcloud/progress-hash.js';
import { jobApiUrl, readJobRef, remainingGrace } from './job-ref.js';
import { readZipProgressOptions, type ZipProgressOptions } from './options.js';
import { resolvePolling, type ResolvedPolling } from './polling-options.js';
import type { ZipProgress } from './snapshot.js';
import { observeZipProgress } from './watch.js';

/**
 * Observes a pCloud zip job started with `savezip`: polls `savezipprogress` one request at a
 * time, emits a {@link ZipProgress} each time the progress changes (the first answer always),
 * and completes right after the snapshot where `files` reaches `totalfiles`.
 *
 * Cold and lazy: nothing is sent before you subscribe, and each subscription polls on its own.
 * Unsubscribing aborts the request in flight and clears every timer. Retries and other waits emit
 * nothing here; `zipProgressEvents$` is the same stream that also tells them.
 *
 * Fails with `PCloudApiError` (pCloud refused: 1000, 2000, 1901 after progress was seen, ...;
 * or still answered 5xxx or rate limiting, 4000 included, after `maxRetries` retries with long
 * waits), `TransportError` (network, timeout or HTTP failure after `maxRetries` retries, or at once
 * for a non-retryable status), `ResponseDecodeError` (a body that is not pCloud's documented
 * shape), `ProgressTimeoutError` (`timeout` or `stallTimeout`) or `AbortError` (`signal`).
 *
 * Re-attach: pass the `job` of a `saveZip$` `started` event (stored as JSON and read back in
 * another process or after a reload) instead of `progresshash`, with the same account's token.
 * The token is sent to its host, so it must be one the connection trusts (`apiUrl`'s own host,
 * pCloud's API hosts when `apiUrl` is one, or a host in `trustedHosts`; never a guessed parent
 * domain), else a TypeError naming it. A
 * re-attach sees progress only, not the saved file's metadata (`zipFileMetadata$` finds it).
 * "Zip not found" (1901) is waited out only for what is left of `notFoundGrace` since the job
 * started: a job that finished and whose progress pCloud has since dropped fails at once with
 * `PCloudApiError` 1901, and `zipFileMetadata$` then tells whether the zip exists.
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
 *
 * // Re-attach to a job a saveZip$ started elsewhere (its `started` event, stored as JSON).
 * function reattach(stored: string): void {
 *   const job = JSON.parse(stored) as ZipJobRef;
 *   zipProgress$({ job, auth: token }).subscribe((p) => bar.update(p.fraction));
 * }
 * ```
 */
export function zipProgress$(options: ZipProgressOptions): Observable<ZipProgress> {
  return observeZipProgress(...resolveZipWatch(options));
}

/** What `observeZipProgress` needs to watch the job `options` name. */
export type ZipWatch = [progresshash: string, connection: ResolvedConnection, polling: ResolvedPolling];

/**
 * Reads and checks `zipProgress$`'s options once, and resolves the host and schedule of the job
 * they name: by `progresshash`, or by a `job` reference.
 *
 * @throws TypeError when an option is invalid.
 */
export function resolveZipWatch(options: ZipProgressOptions): ZipWatch {
  // A factory that shares these options checks for an object first, with its own name.
  if (typeof options !== 'object' || options === null) throw new TypeError('zipProgress$ needs an options object');
  // Each option is read once: a getter cannot hand validation one value and the request another.
  const snapshot = readZipProgressOptions(options);
  if (snapshot.job === undefined) {
    validateProgressHash(snapshot.progresshash);
    return [snapshot.progresshash, resolveConnection(snapshot), resolvePolling(snapshot)];
  }
  const job = readJobRef(snapshot.job);
  if (snapshot.progresshash !== undefined && snapshot.progresshash !== job.progresshash) {
    throw new TypeError('pass progresshash or job, not both (they name different jobs)');
  }
  const connection = resolveConnection(snapshot);
  const polling = resolvePolling(snapshot);
  const apiUrl = jobApiUrl(job, connection, hasCredentials(connection.credentials));
  const notFoundGrace = remainingGrace(polling.notFoundGrace, job.startedAt, polling.scheduler.now());
  return [job.progresshash, { ...connection, apiUrl }, { ...polling, notFoundGrace }];
}
