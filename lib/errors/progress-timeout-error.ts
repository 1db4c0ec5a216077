import type { ZipProgress } from '../zip-progress/snapshot.js';
import { hasName, PCloudZipError } from './pcloud-zip-error.js';

/**
 * The job took too long: past the overall `timeout` (`reason: 'deadline'`) or without any
 * change in progress for `stallTimeout` (`reason: 'stall'`). `lastProgress` keeps the last
 * snapshot seen, so nothing observed is lost.
 *
 * @example
 * ```ts
 * if (error instanceof ProgressTimeoutError && error.reason === 'stall') {
 *   console.log(`stuck at ${error.lastProgress?.files} files`);
 * }
 * ```
 */
export class ProgressTimeoutError extends PCloudZipError {
  override readonly name = 'ProgressTimeoutError' as const;
  // `declare`d fields: set by the constructor only, with no class-field code defining them first.
  /** `'deadline'`: past the overall `timeout`; `'stall'`: no change for `stallTimeout`. */
  declare readonly reason: 'deadline' | 'stall';
  /** The limit that was exceeded, in ms. */
  declare readonly timeoutMs: number;
  /** The last snapshot emitted before giving up, if any. */
  declare readonly lastProgress: ZipProgress | undefined;

  constructor(init: { readonly reason: 'deadline' | 'stall'; readonly timeoutMs: number; readonly lastProgress: ZipProgress | undefined }) {
    super(
      init.reason === 'deadline'
        ? `zip job not done within the ${init.timeoutMs} ms deadline`
        : `zip progress did not change for ${init.timeoutMs} ms`,
    );
    this.reason = init.reason;
    this.timeoutMs = init.timeoutMs;
    this.lastProgress = init.lastProgress;
  }

  /**
   * Whether `value` is a `ProgressTimeoutError`, also one from another copy of the package
   * (where `instanceof` fails): its `name` and a `reason` of `'deadline'` or `'stall'`.
   *
   * @example
   * ```ts
   * if (ProgressTimeoutError.is(error)) console.warn(error.reason, error.lastProgress?.fraction);
   * ```
   */
  static override is(value: unknown): value is ProgressTimeoutError {
    return hasName(value, 'ProgressTimeoutError') && (value.reason === 'deadline' || value.reason === 'stall');
  }
}
