import { causeOption, hasName, PCloudZipError } from './pcloud-zip-error.js';

/**
 * The caller's `signal` aborted the operation. Named `AbortError` like the platform's, so
 * `error.name === 'AbortError'` checks written for fetch keep working; `cause` holds
 * `signal.reason`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * zipProgress$({ progresshash, auth, signal: controller.signal }).subscribe({
 *   error: (e) => { if (e.name === 'AbortError') console.log('cancelled'); },
 * });
 * controller.abort();
 * ```
 */
export class AbortError extends PCloudZipError {
  override readonly name = 'AbortError' as const;

  /** `cause`: the signal's `reason` (left out when undefined). */
  constructor(init: { readonly cause?: unknown } = {}) {
    super('the operation was aborted', causeOption(init.cause));
  }

  /**
   * Whether `value` is an `AbortError`, also from another copy of the package or the platform's
   * own (`DOMException` named `AbortError`): both mean the operation was cancelled.
   *
   * @example
   * ```ts
   * if (AbortError.is(error)) console.log('cancelled');
   * ```
   */
  static override is(value: unknown): value is AbortError {
    return hasName(value, 'AbortError');
  }
}
