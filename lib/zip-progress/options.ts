import { type PCloudConnectionOptions, readConnectionOptions } from '../pcloud/connection-options.js';
import type { OptionsSnapshot } from '../poll/read-once.js';
import { type PollingOptions, readPollingOptions } from './polling-options.js';

/** Options of `zipProgress$`. */
export interface ZipProgressOptions extends PCloudConnectionOptions, PollingOptions {
  /** The key given to `savezip` (required). */
  readonly progresshash: string;
}

/** Reads every option of `zipProgress$` once (see {@link OptionsSnapshot}). */
export function readZipProgressOptions(options: ZipProgressOptions): OptionsSnapshot<ZipProgressOptions> {
  return { ...readConnectionOptions(options), ...readPollingOptions(options), progresshash: options.progresshash };
}

/**
 * Validates `progresshash`: a non-empty string that can travel as given. A control character
 * (NUL, CR, LF, ...) is no hash a caller meant, and a lone surrogate cannot be encoded in a form
 * body (it would fail every request with an untyped `URIError`).
 */
export function validateProgressHash(progresshash: unknown): asserts progresshash is string {
  if (typeof progresshash !== 'string' || progresshash.trim() === '') {
    throw new TypeError('progresshash must be a non-empty string');
  }
  if (/\p{Cc}/u.test(progresshash)) throw new TypeError('progresshash contains a control character (NUL, CR, LF, ...)');
  // With the u flag, \p{Cs} matches only a surrogate that is not part of a pair.
  if (/\p{Cs}/u.test(progresshash)) throw new TypeError('progresshash contains a lone surrogate (not valid UTF-16 text)');
}
