import type { ZipProgress } from '../zip-progress/snapshot.js';

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
export class ProgressTimeoutError extends Error {
  override readonly name = 'ProgressTimeoutError' as const;
  /** `'deadline'`: past the overall `timeout`; `'stall'`: no change for `stallTimeout`. */
  readonly reason: 'deadline' | 'stall';
  /** The limit that was exceeded, in ms. */
  readonly timeoutMs: number;
  /** The last snapshot emitted before giving up, if any. */
  readonly lastProgress: ZipProgress | undefined;

  constructor(reason: 'deadline' | 'stall', timeoutMs: number, lastProgress: ZipProgress | undefined) {
    super(
      reason === 'deadline'
        ? `zip job not done within the ${timeoutMs} ms deadline`
        : `zip progress did not change for ${timeoutMs} ms`,
    );
    this.reason = reason;
    this.timeoutMs = timeoutMs;
    this.lastProgress = lastProgress;
  }
}
