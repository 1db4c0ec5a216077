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
 * job not registered yet, "retry later"), `login-lockout` (4000: too many login tries, where
 * retrying makes the lock-out worse), `rate-limit` (every other 4xxx: "retry at a later stage"),
 * `internal` (5xxx: "try again later"), and `request` for the rest (bad input, auth, files).
 */
export type PCloudErrorCategory = 'timing' | 'login-lockout' | 'rate-limit' | 'internal' | 'request';

/**
 * The category of a pCloud result code, by its range, so that codes no document lists (a new
 * 5xxx, an unlisted 4xxx) are handled like their documented neighbours.
 *
 * @example
 * pcloudErrorCategory(5003); // 'internal'
 * pcloudErrorCategory(4000); // 'login-lockout'
 * pcloudErrorCategory(4123); // 'rate-limit'
 */
export function pcloudErrorCategory(code: number): PCloudErrorCategory {
  if (code === PCloudErrorCode.TooManyLoginTries) return 'login-lockout';
  if (code >= 1900 && code <= 1999) return 'timing';
  if (code >= 4000 && code <= 4999) return 'rate-limit';
  if (code >= 5000 && code <= 5999) return 'internal';
  return 'request';
}

/**
 * Whether a pCloud result code is worth retrying: every 5xxx (internal, "try again later") and
 * every 4xxx but 4000 (rate limiting, retried after the long wait). Everything else is final:
 * 4000, where retrying makes the lock-out worse; 19xx, whose only retry is 1901 right after the
 * job started (the `notFoundGrace` rule); and every request, auth or file error.
 *
 * @example
 * isTransientCode(PCloudErrorCode.WriteError); // true (5003)
 * isTransientCode(4123); // true (rate limiting)
 * isTransientCode(PCloudErrorCode.TooManyLoginTries); // false (4000)
 * isTransientCode(PCloudErrorCode.LoginFailed); // false (2000)
 */
export function isTransientCode(code: number): boolean {
  const category = pcloudErrorCategory(code);
  return category === 'internal' || category === 'rate-limit';
}

/**
 * Whether a code asks to slow down (every 4xxx but 4000): its retry waits at least the
 * schedule's longest wait.
 *
 * @example
 * isRateLimitCode(4123); // true
 * isRateLimitCode(5000); // false
 */
export function isRateLimitCode(code: number): boolean {
  return pcloudErrorCategory(code) === 'rate-limit';
}
