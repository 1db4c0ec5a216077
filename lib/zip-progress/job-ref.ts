import type { PCloudParams } from '../pcloud/client.js';
import { parseApiUrl } from '../pcloud/endpoint.js';
import { validateProgressHash } from '../pcloud/progress-hash.js';
import { type HostTrust, mayReceiveCredentials } from '../pcloud/trusted-hosts.js';

/**
 * A running zip job, as `saveZip$`'s first event (`{ type: 'started', job }`) describes it: enough
 * for another process, a reloaded page or a retried worker to watch it to the end with
 * `zipProgress$({ job, auth })`, and to find the zip with `zipFileMetadata$`. Plain JSON: store
 * it with `JSON.stringify` (Redis, a queue job's data, `sessionStorage`). It holds no credential.
 *
 * @example
 * ```ts
 * const job: ZipJobRef = {
 *   progresshash: 'c0ffee',
 *   apiUrl: 'https://api7.pcloud.com',
 *   destination: { topath: '/backups/photos.zip' },
 *   startedAt: Date.now(),
 * };
 * const restored = JSON.parse(JSON.stringify(job)) as ZipJobRef;
 * ```
 */
export interface ZipJobRef {
  /** The `progresshash` the job was started with. */
  readonly progresshash: string;
  /** The pinned API host's base URL (href string), e.g. 'https://api7.pcloud.com'. */
  readonly apiUrl: string;
  /** Where the zip is being saved. */
  readonly destination: { readonly topath: string } | { readonly tofolderid: number; readonly toname: string };
  /** When savezip was sent, ms since the epoch (scheduler.now()). */
  readonly startedAt: number;
}

/** A base URL as a ZipJobRef spells it: no trailing slash (a path prefix is kept). */
export function apiUrlText(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function fail(message: string): never {
  throw new TypeError(`job${message}`);
}

/**
 * The destination of a stored ref, checked (only `zipFileMetadata$` reads it, so `zipProgress$`
 * does not carry this code). Throws a TypeError naming the field.
 */
export function readDestination(job: ZipJobRef): ZipJobRef['destination'] {
  const value: unknown = job.destination;
  if (typeof value !== 'object' || value === null) fail('.destination must be { topath } or { tofolderid, toname }');
  const { topath, tofolderid, toname } = value as Record<string, unknown>;
  if (topath !== undefined) {
    if (typeof topath !== 'string' || !topath.startsWith('/') || topath.length < 2) fail('.destination.topath must be a full path such as /backups/photos.zip');
    return { topath };
  }
  if (!(typeof tofolderid === 'number' && Number.isSafeInteger(tofolderid) && tofolderid >= 0)) fail('.destination.tofolderid must be a folder id (a whole number >= 0)');
  if (typeof toname !== 'string' || toname === '' || toname.includes('/')) fail('.destination.toname must be a file name without /');
  return { tofolderid, toname };
}

/**
 * Checks what every reader of a `ZipJobRef` read back from storage needs (`progresshash`,
 * `apiUrl`, `startedAt`), each field read once, and returns a copy. Throws a TypeError naming
 * the field.
 */
export function readJobRef(value: unknown): ZipJobRef {
  if (typeof value !== 'object' || value === null) fail(' must be a ZipJobRef (the job of a started event)');
  const { progresshash, apiUrl, destination, startedAt } = value as Record<string, unknown>;
  try {
    validateProgressHash(progresshash);
  } catch (error) {
    fail(`.${(error as Error).message}`);
  }
  if (typeof apiUrl !== 'string') fail('.apiUrl must be a URL string');
  // Number.isFinite is false for anything but a finite number (it does not convert).
  if (!Number.isFinite(startedAt)) fail('.startedAt must be a number of ms since the epoch');
  return { progresshash, apiUrl, destination: destination as ZipJobRef['destination'], startedAt: startedAt as number };
}

/**
 * The host a stored job is watched on. Its `apiUrl` comes from storage and the token will be sent
 * there, so it must be a valid API URL (https, or http to loopback) that the connection trusts
 * with credentials (see `mayReceiveCredentials`: the `apiUrl` option's own host, pCloud's API
 * hosts when `apiUrl` is one, loopback, or a host in `trustedHosts`); otherwise a TypeError
 * naming the host.
 */
export function jobApiUrl(job: ZipJobRef, trust: HostTrust, withCredentials: boolean): URL {
  const url = parseApiUrl(job.apiUrl, 'job.apiUrl', withCredentials);
  if (!mayReceiveCredentials(trust, url)) {
    const { apiUrl } = trust;
    throw new TypeError(
      `job.apiUrl ${url.host} is not a host apiUrl (${apiUrl.protocol}//${apiUrl.host}) trusts: no token is sent there (name it in trustedHosts if it is yours)`,
    );
  }
  return url;
}

/**
 * What a re-attach may wait for "Zip not found" (1901): the grace left since the job started
 * (a job that started long ago and is not found has finished and expired, or never registered).
 * A start time in the future (another machine's clock) leaves the whole grace.
 */
export function remainingGrace(notFoundGrace: number, startedAt: number, now: number): number {
  const since = now - startedAt;
  if (!(since > 0)) return notFoundGrace;
  return Math.max(0, notFoundGrace - since);
}

/** The ref of a job just sent: its hash, the pinned host, the destination of `params`, the time. */
export function jobRefOf(progresshash: string, apiUrl: URL, params: PCloudParams, startedAt: number): ZipJobRef {
  const destination = params.topath !== undefined ? { topath: String(params.topath) } : { tofolderid: Number(params.tofolderid), toname: String(params.toname) };
  return { progresshash, apiUrl: apiUrlText(apiUrl), destination, startedAt };
}
