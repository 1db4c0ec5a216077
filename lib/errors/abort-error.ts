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
export class AbortError extends Error {
  override readonly name = 'AbortError' as const;

  constructor(reason?: unknown) {
    super('the operation was aborted', reason === undefined ? undefined : { cause: reason });
  }
}
