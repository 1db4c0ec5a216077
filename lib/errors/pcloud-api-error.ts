import { hasName, PCloudZipError } from './pcloud-zip-error.js';

/**
 * pCloud answered a method with a non-zero `result`: the API itself refused or failed.
 *
 * `code` is pCloud's numeric result (see {@link PCloudErrorCode}), `method` the pCloud method
 * that answered, and `message` the server's text with any credential scrubbed out.
 * `transient` tells whether the library considers the code worth retrying.
 *
 * @example
 * ```ts
 * zipProgress$({ progresshash, auth }).subscribe({
 *   error: (e) => {
 *     if (e instanceof PCloudApiError && e.code === PCloudErrorCode.LoginFailed) relogin();
 *   },
 * });
 * ```
 */
export class PCloudApiError extends PCloudZipError {
  override readonly name = 'PCloudApiError' as const;
  // `declare`d fields: set by the constructor only, with no class-field code defining them first.
  /** pCloud's `result` code (1000, 1901, 2000, 5000, ...); compare with `PCloudErrorCode`. */
  declare readonly code: number;
  /** The pCloud method that answered, e.g. `'savezipprogress'`. */
  declare readonly method: string;
  /** Whether the library retries this code (see `isTransientCode`). */
  declare readonly transient: boolean;

  constructor(init: { code: number; method: string; message: string; transient: boolean }) {
    super(`pCloud ${init.method} failed with ${init.code}: ${init.message}`);
    this.code = init.code;
    this.method = init.method;
    this.transient = init.transient;
  }

  /**
   * Whether `value` is a `PCloudApiError`, also one from another copy of the package (where
   * `instanceof` fails): its `name`, a numeric `code` and a string `method`.
   *
   * @example
   * ```ts
   * if (PCloudApiError.is(error) && error.code === PCloudErrorCode.LoginFailed) relogin();
   * ```
   */
  static override is(value: unknown): value is PCloudApiError {
    return hasName(value, 'PCloudApiError') && typeof value.code === 'number' && typeof value.method === 'string';
  }
}
