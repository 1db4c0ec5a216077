import { type Observable, retry, throwError, timer } from 'rxjs';
import { type Credentials, PCloudApiError, PCloudErrorCode, type PCloudFileMetadata, zipFileMetadata$, type ZipJobRef } from 'pcloud-zip-progress';

/**
 * Waits between reads while the file is not there yet (2009, 2005): progress reaches done when the
 * last file is zipped, and pCloud stores the zip a moment later. About 8 s in all.
 */
const NOT_STORED_YET_DELAYS_MS: readonly number[] = [250, 500, 1_000, 2_000, 4_000];

function notStoredYet(error: unknown): boolean {
  return error instanceof PCloudApiError && (error.code === PCloudErrorCode.FileNotFound || error.code === PCloudErrorCode.DirectoryNotFound);
}

/**
 * The metadata of the zip a re-attached job saved. A re-attach never sees `savezip`'s answer
 * (the page that sent it was reloaded), so this asks pCloud for the file at the job's
 * destination, a few times while it is not stored yet; then it fails with pCloud's 2009.
 */
export function savedZip$(job: ZipJobRef, connection: Credentials & { readonly apiUrl?: string; readonly fetch?: typeof globalThis.fetch }): Observable<PCloudFileMetadata> {
  const { auth, accessToken, apiUrl, fetch } = connection;
  return zipFileMetadata$({ auth, accessToken, apiUrl, fetch, job }).pipe(
    retry({
      count: NOT_STORED_YET_DELAYS_MS.length,
      delay: (error: unknown, attempt) => (notStoredYet(error) ? timer(NOT_STORED_YET_DELAYS_MS[attempt - 1] ?? 0) : throwError(() => error)),
    }),
  );
}
