import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/** Options of `traceSaveZip` and `traceZipProgress`. */
export interface TelemetryOptions {
  /**
   * Where spans go. Default: the global provider (`trace.getTracerProvider()`), looked up at each
   * subscription, so an SDK registered after the wrapper was made is used. Without an SDK the
   * API's no-op tracer records nothing.
   */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go. Default: the global provider (`metrics.getMeterProvider()`), looked up at each subscription. */
  readonly meterProvider?: MeterProvider;
  /**
   * The fetch that sends one account's requests when a call gives no `fetch` option. Default: in
   * Node, `accountFetch(credentials)` (one connection pool per credential, as the library's own
   * default); in browsers, the page's `fetch`. A function of the credentials because one wrapper
   * serves every account: a single shared fetch could send two accounts' requests over one
   * keep-alive connection, and pCloud acts as the first account that logged in on it.
   */
  readonly fetchFor?: (credentials: Pick<TracedOptions, 'auth' | 'accessToken'>) => typeof globalThis.fetch;
}

/**
 * What the wrappers read of a call's options: the credentials (for the default fetch), `apiUrl`
 * (the job span's `server.address`) and `fetch` (wrapped). `SaveZipOptions` and
 * `ZipProgressOptions` have them; the wrapped call gets the options as given, `fetch` replaced.
 */
export interface TracedOptions {
  /** A pCloud session token. */
  readonly auth?: string | undefined;
  /** An OAuth 2.0 token. */
  readonly accessToken?: string | undefined;
  /** The API's base URL. */
  readonly apiUrl?: string | URL | undefined;
  /** The call's own fetch, if any. */
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** What the wrappers read of the events: their `type` (`retrying`, `started`...). */
export interface TracedEvent {
  /** The event's kind. */
  readonly type: string;
}
