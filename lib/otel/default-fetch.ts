import type { TelemetryOptions } from './telemetry-options.js';

/** The fetch for one account's requests: see `TelemetryOptions.fetchFor`. */
export type FetchFor = NonNullable<TelemetryOptions['fetchFor']>;

/** The page's own fetch, looked up at each request (a polyfill or a test's stub installed later works). */
const pageFetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init);

/**
 * What a traced call sends with when it is given no `fetch`. Browsers: the page's fetch (the
 * page cannot choose connections). The Node build of this entry (lib/otel/node.ts) sets one
 * connection pool per credential, as the library's own Node default: pCloud acts as the first
 * account that logged in on a keep-alive connection.
 */
let fallback: FetchFor = () => pageFetch;

/** Called once, by the Node build of the entry. */
export function setDefaultFetchFor(value: FetchFor): void {
  fallback = value;
}

/** The default fetch for `credentials`. */
export function defaultFetchFor(credentials: Parameters<FetchFor>[0]): typeof globalThis.fetch {
  return fallback(credentials);
}
