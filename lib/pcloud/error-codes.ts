/**
 * pCloud `result` codes this library names. Any other non-zero code still arrives as a
 * `PCloudApiError` with its number. Frozen.
 *
 * @example
 * ```ts
 * if (error instanceof PCloudApiError && error.code === PCloudErrorCode.ZipNotFound) console.log('no such zip job');
 * ```
 */
export const PCloudErrorCode = /* @__PURE__ */ Object.freeze({
  LoginRequired: 1000,
  NoFullDestination: 1016,
  UploadNotFound: 1900,
  ZipNotFound: 1901,
  LoginFailed: 2000,
  InvalidName: 2001,
  ParentNotFound: 2002,
  AccessDenied: 2003,
  AlreadyExists: 2004,
  DirectoryNotFound: 2005,
  OverQuota: 2008,
  FileNotFound: 2009,
  /** What `stat` of a missing path answers (public clients record it; not on `stat`'s page). */
  FileOrFolderNotFound: 2055,
  InvalidAccessToken: 2094,
  RevokedAccessToken: 2095,
  TooManyLoginTries: 4000,
  InternalError: 5000,
  InternalUploadError: 5001,
  NoServersAvailable: 5002,
  WriteError: 5003,
  ReadError: 5004,
} as const);

/** One of the named pCloud result codes. */
export type PCloudErrorCode = (typeof PCloudErrorCode)[keyof typeof PCloudErrorCode];

/**
 * pCloud's own grouping of result codes (pclouddoc, api.txt and errors.txt): `timing` (19xx: a
 * job not registered yet, "retry later"), `rate-limit` (4xxx, 4000 "Too many login tries"
 * included: "the API server is rate limiting you because of too many requests or login tries.
 * It should be possible to retry the request at a later stage"), `internal` (5xxx: "try again
 * later"), and `request` for the rest (bad input, auth, files).
 */
export type PCloudErrorCategory = 'timing' | 'rate-limit' | 'internal' | 'request';

/**
 * The category of a pCloud result code, by its range, so that codes no document lists (a new
 * 5xxx, an unlisted 4xxx) are handled like their documented neighbours.
 *
 * @example
 * pcloudErrorCategory(5003); // 'internal'
 * pcloudErrorCategory(4000); // 'rate-limit'
 * pcloudErrorCategory(1901); // 'timing'
 */
export function pcloudErrorCategory(code: number): PCloudErrorCategory {
  if (code >= 1900 && code <= 1999) return 'timing';
  if (code >= 4000 && code <= 4999) return 'rate-limit';
  if (code >= 5000 && code <= 5999) return 'internal';
  return 'request';
}

/**
 * Whether a pCloud result code is worth retrying: every 5xxx (internal, "try again later") and
 * every 4xxx (rate limiting, 4000 included: retried after a long, growing wait, as rclone and
 * pCloud's own sync client retry it). Everything else is final: 19xx, whose only retry is 1901
 * right after the job started (the `notFoundGrace` rule), and every request, auth or file error.
 * (Until this version 4000 was final: that rule is reversed.)
 *
 * @example
 * isTransientCode(PCloudErrorCode.WriteError); // true (5003)
 * isTransientCode(PCloudErrorCode.TooManyLoginTries); // true (4000, after the long wait)
 * isTransientCode(PCloudErrorCode.LoginFailed); // false (2000)
 */
export function isTransientCode(code: number): boolean {
  const category = pcloudErrorCategory(code);
  return category === 'internal' || category === 'rate-limit';
}

/**
 * Whether a code asks to slow down (every 4xxx, 4000 included): its retry waits at least the
 * schedule's longest wait, doubled with each failure in a row.
 *
 * @example
 * isRateLimitCode(4000); // true
 * isRateLimitCode(5000); // false
 */
export function isRateLimitCode(code: number): boolean {
  return pcloudErrorCategory(code) === 'rate-limit';
}
