import type { PCloudParams } from '../pcloud/client.js';
import { isLoopbackHost, parseApiUrl } from '../pcloud/endpoint.js';
import { validateProgressHash } from '../pcloud/progress-hash.js';

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

/** An IP literal has no parent domain: `10.0.0.1`'s "parent" would be any host of 0.0.1. */
function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d+(\.\d+){3}$/.test(hostname);
}

/**
 * Whether credentials meant for `trusted` (the `apiUrl` option) may go to `host` (a stored job's
 * pinned host): same protocol and port, and the same host, a host under the same parent domain
 * (`api.pcloud.com` trusts `api7.pcloud.com` and `eapi.pcloud.com`), or two loopback hosts.
 */
export function sameService(trusted: URL, host: URL): boolean {
  if (trusted.protocol !== host.protocol || trusted.port !== host.port) return false;
  const a = trusted.hostname.toLowerCase();
  const b = host.hostname.toLowerCase();
  if (a === b || (isLoopbackHost(a) && isLoopbackHost(b))) return true;
  if (isIpLiteral(a) || isIpLiteral(b)) return false;
  // The parent domain: the host without its first label (`api.pcloud.com` -> `pcloud.com`).
  const domain = a.split('.').length > 2 ? a.slice(a.indexOf('.') + 1) : a;
  return b === domain || b.endsWith(`.${domain}`);
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
 * there, so it must be a valid API URL (https, or http to loopback) of the same service as the
 * trusted `apiUrl` option (see {@link sameService}); otherwise a TypeError naming the host.
 */
export function jobApiUrl(job: ZipJobRef, trusted: URL, withCredentials: boolean): URL {
  const url = parseApiUrl(job.apiUrl, 'job.apiUrl', withCredentials);
  if (!sameService(trusted, url)) {
    throw new TypeError(`job.apiUrl ${url.host} is outside apiUrl's service (${trusted.protocol}//${trusted.host}): no token is sent there`);
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
