import type { Observable } from 'rxjs';
import { resolveConnection } from '../pcloud/connection-options.js';
import { readZipProgressOptions, validateProgressHash, type ZipProgressOptions } from './options.js';
import { resolvePolling } from './polling-options.js';
import type { ZipProgress } from './snapshot.js';
import { observeZipProgress } from './watch.js';

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
  // Each option is read once: a getter cannot hand validation one value and the request another.
  const snapshot = readZipProgressOptions(options);
  validateProgressHash(snapshot.progresshash);
  return observeZipProgress(snapshot.progresshash, resolveConnection(snapshot), resolvePolling(snapshot));
}
