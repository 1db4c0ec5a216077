import { causeOption, hasName, PCloudZipError } from './pcloud-zip-error.js';

/** What went wrong below the API: see {@link TransportError}. */
export type TransportErrorKind = 'network' | 'timeout' | 'http' | 'redirect';

/**
 * The HTTP exchange itself failed: the connection dropped or was refused (`kind: 'network'`),
 * the request outlived `requestTimeout` (`'timeout'`), the server answered a non-2xx status
 * (`'http'`, with `status` and, if sent, `retryAfterMs`), or it redirected (`'redirect'`; never
 * followed, so credentials cannot travel to another origin).
 *
 * Network failures, timeouts, 408, 429 and 5xx are `transient` and retried; the error reaches
 * you only after `maxRetries` consecutive failures. `cause` holds the underlying fetch error for
 * network failures.
 *
 * @example
 * ```ts
 * if (error instanceof TransportError && error.status === 403) showProxyHelp();
 * ```
 */
export class TransportError extends PCloudZipError {
  override readonly name = 'TransportError' as const;
  // `declare`d fields: set by the constructor only, with no class-field code defining them first.
  /** What failed: see {@link TransportErrorKind}. */
  declare readonly kind: TransportErrorKind;
  /** The pCloud method being called. */
  declare readonly method: string;
  /** HTTP status for `kind: 'http'` and `'redirect'`. */
  declare readonly status: number | undefined;
  /** The server's `Retry-After`, in ms, when it sent one. */
  declare readonly retryAfterMs: number | undefined;
  /** Whether the library retries this failure. */
  declare readonly transient: boolean;

  constructor(init: {
    kind: TransportErrorKind;
    method: string;
    message: string;
    transient: boolean;
    status?: number;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super(`pCloud ${init.method}: ${init.message}`, causeOption(init.cause));
    this.kind = init.kind;
    this.method = init.method;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.transient = init.transient;
  }

  /**
   * Whether `value` is a `TransportError`, also one from another copy of the package (where
   * `instanceof` fails): its `name` and a string `kind`.
   *
   * @example
   * ```ts
   * if (TransportError.is(error) && error.kind === 'timeout') console.warn('pCloud is slow');
   * ```
   */
  static override is(value: unknown): value is TransportError {
    return hasName(value, 'TransportError') && typeof value.kind === 'string';
  }
}
