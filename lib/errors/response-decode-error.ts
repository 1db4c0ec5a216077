import { hasName, PCloudZipError } from './pcloud-zip-error.js';

/**
 * A response body was not what pCloud documents: not JSON, not an object, or a field of the
 * wrong type (a string where a count belongs, a negative or fractional count, a number past
 * 2^53). The stream fails instead of showing a made-up progress.
 *
 * `paths` names each offending field, `excerpt` quotes the start of the body (scrubbed of
 * credentials, at most ~120 characters), `status` is the HTTP status it came with.
 *
 * @example
 * ```ts
 * if (error instanceof ResponseDecodeError) log.warn(error.paths, error.excerpt);
 * ```
 */
export class ResponseDecodeError extends PCloudZipError {
  override readonly name = 'ResponseDecodeError' as const;
  // `declare`d fields: set by the constructor only, with no class-field code defining them first.
  /** The pCloud method whose answer could not be decoded. */
  declare readonly method: string;
  /** Offending paths, e.g. `['files', 'totalbytes']`; `['(body)']` for non-JSON bodies. */
  declare readonly paths: readonly string[];
  /** The start of the body, scrubbed of credentials. */
  declare readonly excerpt: string;
  /** HTTP status of the response. */
  declare readonly status: number;

  constructor(init: { method: string; paths: readonly string[]; problems: readonly string[]; excerpt: string; status: number }) {
    super(`pCloud ${init.method} sent an unexpected response: ${init.problems.join('; ')}. Body starts: ${init.excerpt}`);
    this.method = init.method;
    this.paths = init.paths;
    this.excerpt = init.excerpt;
    this.status = init.status;
  }

  /**
   * Whether `value` is a `ResponseDecodeError`, also one from another copy of the package
   * (where `instanceof` fails): its `name` and an array of `paths`.
   *
   * @example
   * ```ts
   * if (ResponseDecodeError.is(error)) console.warn(error.paths, error.excerpt);
   * ```
   */
  static override is(value: unknown): value is ResponseDecodeError {
    return hasName(value, 'ResponseDecodeError') && Array.isArray(value.paths);
  }
}
