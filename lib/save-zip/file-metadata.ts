import * as t from 'io-ts';
import { asyncScheduler, catchError, map, type Observable } from 'rxjs';
import { PCloudApiError } from '../errors/pcloud-api-error.js';
import { callPCloud$ } from '../pcloud/client.js';
import { type PCloudFileMetadata, PCloudFileMetadataCodec } from '../pcloud/codecs.js';
import { hasCredentials } from '../pcloud/credentials.js';
import { PCloudErrorCode } from '../pcloud/error-codes.js';
import { abortable } from '../poll/abortable.js';
import { type PCloudConnectionOptions, readConnectionOptions, resolveConnection } from '../pcloud/connection-options.js';
import { POLLING_DEFAULTS } from '../zip-progress/polling-options.js';
import { jobApiUrl, readDestination, readJobRef, type ZipJobRef } from '../zip-progress/job-ref.js';

/**
 * Options of {@link zipFileMetadata$}: the job and the same account's credentials. `apiUrl` is
 * the trusted host the job's own host is checked against (as in `zipProgress$`).
 */
export interface ZipFileMetadataOptions extends PCloudConnectionOptions {
  /** The job whose zip to look up (from `saveZip$`'s `started` event). */
  readonly job: ZipJobRef;
}

/**
 * Every "no zip there" is one error, `FileNotFound` (2009) as the listing's: `stat` of a missing
 * path answers 2055 on the live service, whose code and text stay in the message.
 */
function noSuchZip(error: unknown, topath: string): never {
  if (error instanceof PCloudApiError && error.code === PCloudErrorCode.FileOrFolderNotFound) {
    throw new PCloudApiError({ code: PCloudErrorCode.FileNotFound, method: error.method, transient: false, message: `no file at ${topath} (${error.message})` });
  }
  throw error;
}

/** A listing is far longer than a progress answer: a big folder lists thousands of entries. */
const LISTING_MAX_BYTES = 64 * 1024 * 1024;

const StatBody = /* @__PURE__ */ t.type({ result: /* @__PURE__ */ t.literal(0), metadata: PCloudFileMetadataCodec }, 'StatBody');
const ListFolderBody = /* @__PURE__ */ t.type({ result: /* @__PURE__ */ t.literal(0), metadata: /* @__PURE__ */ t.type({ contents: /* @__PURE__ */ t.array(t.unknown) }) }, 'ListFolderBody');
const Named = /* @__PURE__ */ t.type({ name: t.string, isfolder: /* @__PURE__ */ t.literal(false) });

/**
 * The `job` option. A `progresshash` instead is a TypeError saying so: the hash names the job's
 * progress, not where its zip goes. Other unknown keys are ignored (README, "Unknown options").
 */
function jobOf(options: ZipFileMetadataOptions): unknown {
  const { job, progresshash } = options as { readonly job?: unknown; readonly progresshash?: unknown };
  if (job === undefined && progresshash !== undefined) {
    throw new TypeError("zipFileMetadata$ takes job, not progresshash: pass the started event's job, which says where the zip goes");
  }
  return job;
}

/**
 * Looks up the zip of a job: the metadata `saveZip$`'s `saved` event would have carried, for a
 * re-attached job (whose watcher never sees `savezip`'s answer) or to check whether a job that
 * can no longer be watched (1901) left its zip. Calls pCloud `stat` (`path` = `topath`), or
 * `listfolder` on `tofolderid` and picks the file named `toname` (a listing is read up to 64 MiB
 * unless `maxResponseBytes` says otherwise). Emits the metadata once and completes. No zip there
 * fails with `PCloudApiError` 2009 (`FileNotFound`), whatever pCloud said: `stat` of a missing
 * path answers 2055 "File or folder not found" (public clients record it; `stat`'s page does not
 * list it), which is reported as 2009 with pCloud's own code and text in the message. A
 * `tofolderid` that is gone fails with 2005; anything else as any pCloud call does. Not retried.
 * A zip still being written is not there yet: call it once progress is done.
 *
 * @throws TypeError synchronously when the job or another option is invalid (see `zipProgress$`
 * for the host rule).
 *
 * @example
 * ```ts
 * function findZip(job: ZipJobRef): void {
 *   zipFileMetadata$({ job, auth: token }).subscribe({
 *     next: (metadata) => console.log('saved', metadata.fileid, metadata.size),
 *     error: (e) => {
 *       if (PCloudApiError.is(e) && e.code === PCloudErrorCode.FileNotFound) console.log('no zip'); // 2009, also for stat's 2055
 *     },
 *   });
 * }
 * ```
 */
export function zipFileMetadata$(options: ZipFileMetadataOptions): Observable<PCloudFileMetadata> {
  if (typeof options !== 'object' || options === null) throw new TypeError('zipFileMetadata$ needs an options object');
  const job = readJobRef(jobOf(options));
  const connection = resolveConnection(readConnectionOptions(options));
  const apiUrl = jobApiUrl(job, connection, hasCredentials(connection.credentials));
  const client = {
    apiUrl,
    credentials: connection.credentials,
    fetch: connection.fetch,
    maxResponseBytes: connection.maxResponseBytes,
    requestTimeout: POLLING_DEFAULTS.requestTimeout,
    scheduler: asyncScheduler,
  };
  const destination = readDestination(job);
  if ('topath' in destination) {
    const { topath } = destination;
    return callPCloud$(client, 'stat', { path: topath }, StatBody).pipe(
      map((body): PCloudFileMetadata => body.metadata),
      catchError((error: unknown) => noSuchZip(error, topath)),
      abortable(connection.signal),
    );
  }
  const listingBytes = options.maxResponseBytes === undefined ? LISTING_MAX_BYTES : connection.maxResponseBytes;
  return callPCloud$({ ...client, maxResponseBytes: listingBytes }, 'listfolder', { folderid: destination.tofolderid }, ListFolderBody).pipe(
    map((body): PCloudFileMetadata => {
      const entry = body.metadata.contents.find((item) => Named.is(item) && item.name === destination.toname);
      // Decoded, not only checked: a date may come as unix seconds (timeformat=timestamp).
      const decoded = entry === undefined ? undefined : PCloudFileMetadataCodec.decode(entry);
      if (decoded?._tag !== 'Right') {
        throw new PCloudApiError({
          code: PCloudErrorCode.FileNotFound,
          method: 'listfolder',
          transient: false,
          message: `no file named ${destination.toname} in folder ${destination.tofolderid}`,
        });
      }
      return decoded.right;
    }),
    abortable(connection.signal),
  );
}
