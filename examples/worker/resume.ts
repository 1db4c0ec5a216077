/**
 * A retried job re-attaching to the zip an earlier attempt started, instead of starting a second
 * one: `zipProgressEvents$({ job })` watches it to the end (its progress and its waits), then
 * `zipFileMetadata$` reads the saved file (a re-attach never sees `savezip`'s answer, which went
 * to the attempt that died).
 */
import { concatMap, lastValueFrom, retry, throwError, timer } from 'rxjs';
import {
  type Credentials,
  PCloudApiError,
  PCloudErrorCode,
  type PCloudFileMetadata,
  zipFileMetadata$,
  type ZipJobRef,
  zipProgressEvents$,
  type ZipProgressEvent,
} from '../../lib/node.js';
import { traceZipProgress } from '../../lib/otel/node.js';

/**
 * Waits between reads of the saved file while it is not there yet (2009, 2005): progress reaches
 * done when the last file is zipped, and pCloud stores the zip a moment later. About 8 s in all.
 */
export const METADATA_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1_000, 2_000, 4_000];

/** What a re-attach found. */
export type ResumeOutcome =
  /** The zip was saved: its metadata. */
  | { readonly kind: 'saved'; readonly metadata: PCloudFileMetadata }
  /** pCloud no longer knows the job (1901): it ended long ago, or `savezip` never reached pCloud. */
  | { readonly kind: 'gone' }
  /**
   * The job finished, but the file at its destination is older than the job: `savezip` could not
   * store the zip there (2004), so this is somebody else's file.
   */
  | { readonly kind: 'taken'; readonly metadata: PCloudFileMetadata };

export interface ResumeOptions {
  readonly credentials: Credentials;
  /** The configured API URL: the stored reference's host must belong to it (the library checks). */
  readonly apiUrl: string;
  readonly signal?: AbortSignal;
  /**
   * Called with each event of the zip's stream (progress snapshots and waits: retrying, waiting,
   * paused, resumed), one call at a time (a rejection fails the re-attach).
   */
  readonly onEvent: (event: ZipProgressEvent) => Promise<unknown>;
}

/** `zipProgressEvents$` recorded as a `pcloud savezipprogress` span (its polls below it), when an SDK is registered. */
const tracedZipProgressEvents$ = traceZipProgress(zipProgressEvents$);

function notStoredYet(error: unknown): boolean {
  return error instanceof PCloudApiError && (error.code === PCloudErrorCode.FileNotFound || error.code === PCloudErrorCode.DirectoryNotFound);
}

/**
 * Whether a file was created at or after `startedAt` (pCloud dates have second precision). A
 * file without a readable date counts as new: the job reported done and the file is where it
 * was to be saved.
 */
export function createdSince(metadata: PCloudFileMetadata, startedAt: number): boolean {
  const created = Date.parse(metadata.created ?? '');
  return Number.isNaN(created) || created >= Math.floor(startedAt / 1000) * 1000;
}

/**
 * Watches the job of `ref` to its end and returns the saved zip's metadata, or says why it cannot
 * ('gone', 'taken'). Fails like `zipProgressEvents$` otherwise (the job's own errors, network, abort),
 * and with `zipFileMetadata$`'s 2009 when the zip never appears.
 */
export async function resumeZip(ref: ZipJobRef, options: ResumeOptions): Promise<ResumeOutcome> {
  const { credentials, apiUrl, signal, onEvent } = options;
  const connection = { ...credentials, apiUrl, ...(signal === undefined ? {} : { signal }) };
  try {
    // 1901 counts as "not registered yet" only until notFoundGrace after the job's startedAt (the
    // library's rule for a re-attach): a retry a minute later learns at once that the job is gone.
    const events$ = tracedZipProgressEvents$({ ...connection, job: ref });
    await lastValueFrom(events$.pipe(concatMap(onEvent)), { defaultValue: undefined });
  } catch (error) {
    if (error instanceof PCloudApiError && error.code === PCloudErrorCode.ZipNotFound) return { kind: 'gone' };
    throw error;
  }
  const metadata = await lastValueFrom(
    zipFileMetadata$({ ...connection, job: ref }).pipe(
      retry({
        count: METADATA_RETRY_DELAYS_MS.length,
        delay: (error: unknown, attempt) => (notStoredYet(error) && !signal?.aborted ? timer(METADATA_RETRY_DELAYS_MS[attempt - 1] ?? 0) : throwError(() => error)),
      }),
    ),
  );
  return createdSince(metadata, ref.startedAt) ? { kind: 'saved', metadata } : { kind: 'taken', metadata };
}
