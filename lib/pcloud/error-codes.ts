/**
 * pCloud `result` codes this library names. Any other non-zero code still arrives as a
 * `PCloudApiError` with its number.
 *
 * @example
 * ```ts
 * if (error instanceof PCloudApiError && error.code === PCloudErrorCode.ZipNotFound) console.log('no such zip job');
 * ```
 */
export const PCloudErrorCode = {
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
  InvalidAccessToken: 2094,
  RevokedAccessToken: 2095,
  TooManyLoginTries: 4000,
  TooManyRequests: 4010,
  InternalError: 5000,
  InternalUploadError: 5001,
  NoServersAvailable: 5002,
} as const;

/** One of the named pCloud result codes. */
export type PCloudErrorCode = (typeof PCloudErrorCode)[keyof typeof PCloudErrorCode];

/**
 * Codes worth retrying: pCloud's own "try again later" answers and its rate limit. Everything
 * else (including 4000, where retrying makes the lock-out worse) is final.
 */
const TRANSIENT: ReadonlySet<number> = new Set([
  PCloudErrorCode.InternalError,
  PCloudErrorCode.NoServersAvailable,
  PCloudErrorCode.TooManyRequests,
]);

/**
 * Whether a pCloud result code is worth retrying.
 *
 * @example
 * isTransientCode(PCloudErrorCode.TooManyRequests); // true (4010)
 * isTransientCode(PCloudErrorCode.LoginFailed); // false (2000)
 */
export function isTransientCode(code: number): boolean {
  return TRANSIENT.has(code);
}
