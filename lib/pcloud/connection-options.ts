import type { SchedulerLike } from 'rxjs';
import { FUNCTION_RULE, invalidInput, methodRule, optionRule } from '../poll/option-rules.js';
import type { OptionsSnapshot } from '../poll/read-once.js';
import { DEFAULT_MAX_RESPONSE_BYTES, type PCloudClientConfig } from './client.js';
import { type Credentials, hasCredentials, validateCredentials } from './credentials.js';
import { DEFAULT_API_URL, parseApiUrl } from './endpoint.js';
import { readTrustedHosts } from './trusted-hosts.js';

/** Options shared by every call that talks to pCloud. */
export interface PCloudConnectionOptions extends Credentials {
  /** Base URL; default `https://api.pcloud.com` (US). EU accounts: `https://eapi.pcloud.com`. */
  readonly apiUrl?: string | URL;
  /**
   * A fetch implementation handed to ky (tests, proxies, instrumentation). Default: in Node, one
   * connection pool per credential; in browsers, the page's `fetch`.
   *
   * One connection, one account: pCloud acts as the first account that logged in on a keep-alive
   * connection, whatever credentials later requests on it carry. Your `fetch` must never send two
   * accounts' requests over one connection: in Node, wrap `accountFetch(credentials)` from
   * `pcloud-zip-progress/node`; in browsers, use one account per browser profile and `apiUrl` at a
   * time (README, "One account per connection").
   */
  readonly fetch?: typeof globalThis.fetch;
  /** Aborting stops everything; the stream errors with an `AbortError`. */
  readonly signal?: AbortSignal;
  /**
   * Largest response body read, in bytes after decompression (default 1 MiB; pCloud's answers
   * are a few hundred bytes). A longer body is cancelled and fails with `ResponseDecodeError`.
   */
  readonly maxResponseBytes?: number;
  /**
   * More hosts that may receive the credentials, as exact host names (no wildcard, scheme,
   * port or path; an IDN as punycode). Credentials go only to `apiUrl`'s own host, to another
   * loopback host when `apiUrl` is one, and, when `apiUrl` is one of pCloud's API hosts, to the
   * hosts `currentserver` names (`api7.pcloud.com`, `eapi.pcloud.com`, ...): never to a host
   * guessed from a parent domain. Name here the hosts a custom `apiUrl` (a proxy) pins to or
   * that stored jobs name. Always the `apiUrl`'s scheme and port. Default: none.
   *
   * @example
   * ```ts
   * import { saveZip$ } from 'pcloud-zip-progress';
   *
   * declare const auth: string;
   * // A proxy whose currentserver answers its own server names.
   * saveZip$({ auth, apiUrl: 'https://pcloud-proxy.example.com', trustedHosts: ['node1.pcloud-proxy.example.com'], folderid: 1, topath: '/a.zip' });
   * ```
   */
  readonly trustedHosts?: readonly string[];
}

/** Connection options after validation. */
export interface ResolvedConnection {
  readonly apiUrl: URL;
  readonly credentials: Credentials;
  readonly fetch: typeof globalThis.fetch | undefined;
  readonly signal: AbortSignal | undefined;
  readonly maxResponseBytes: number;
  /** `trustedHosts`, checked (see `mayReceiveCredentials`). */
  readonly trustedHosts: readonly string[];
}

/** Reads each connection option once (see {@link OptionsSnapshot}). */
export function readConnectionOptions(options: PCloudConnectionOptions): OptionsSnapshot<PCloudConnectionOptions> {
  return { auth: options.auth, accessToken: options.accessToken, apiUrl: options.apiUrl, fetch: options.fetch, signal: options.signal, maxResponseBytes: options.maxResponseBytes, trustedHosts: options.trustedHosts };
}

/** `signal`: anything that can be listened to, as an AbortSignal of any realm or polyfill. */
const SIGNAL_RULE = /* @__PURE__ */ methodRule('addEventListener', 'an AbortSignal');
const MAX_RESPONSE_BYTES_RULE = /* @__PURE__ */ optionRule(
  (value) => value === Infinity || (Number.isSafeInteger(value) && (value as number) > 0),
  'a whole number of bytes > 0 (or Infinity)',
);

/** Validates the connection options (read once: see {@link OptionsSnapshot}); throws a TypeError naming the option. */
export function resolveConnection(options: OptionsSnapshot<PCloudConnectionOptions>): ResolvedConnection {
  const credentials: Credentials = { auth: options.auth, accessToken: options.accessToken };
  validateCredentials(credentials);
  // Only a missing apiUrl means the default: null is a mistake, not a request for production.
  if (options.apiUrl === null) invalidInput('apiUrl must be a URL (leave it undefined for the default), got null');
  const apiUrl = parseApiUrl(options.apiUrl ?? DEFAULT_API_URL, 'apiUrl', hasCredentials(credentials));
  const { fetch, signal, maxResponseBytes } = options;
  if (fetch !== undefined) FUNCTION_RULE('fetch', fetch);
  if (signal !== undefined) SIGNAL_RULE('signal', signal);
  if (maxResponseBytes !== undefined) MAX_RESPONSE_BYTES_RULE('maxResponseBytes', maxResponseBytes);
  const trustedHosts = readTrustedHosts(options.trustedHosts);
  return { apiUrl, credentials, fetch, signal, maxResponseBytes: maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, trustedHosts };
}

/**
 * The client configuration both `zipProgress$` and `saveZip$` call pCloud with: the connection,
 * and the request timeout and scheduler of the polling options.
 */
export function clientConfig(
  connection: ResolvedConnection,
  polling: { readonly requestTimeout: number; readonly scheduler: SchedulerLike },
  hint?: PCloudClientConfig['hint'],
): PCloudClientConfig {
  // Spelled out, `hint` included: it lives as long as the subscription. A spread of the
  // connection measured about 300 bytes more (and would carry the unused `signal`), and adding
  // `hint` by spreading this object gave every copy a hidden class of its own (~0.5 KB each).
  return {
    apiUrl: connection.apiUrl,
    credentials: connection.credentials,
    fetch: connection.fetch,
    maxResponseBytes: connection.maxResponseBytes,
    requestTimeout: polling.requestTimeout,
    scheduler: polling.scheduler,
    hint,
  };
}
