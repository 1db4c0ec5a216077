import ky from 'ky';
import type * as t from 'io-ts';
import { Observable, type SchedulerLike } from 'rxjs';
import { excerpt, Scrubber } from '../redact/redact.js';
import { causeText, scrubbedCopy } from '../redact/scrub-error.js';
import { TransportError } from '../errors/transport-error.js';
import { scheduleAfter } from '../poll/schedule-after.js';
import { type Credentials, secretsOf } from './credentials.js';
import { type DecodeContext, decodeResponse, responseTooLarge } from './decode.js';
import { methodUrl } from './endpoint.js';
import { accountHint, type HintContext } from './hints.js';
import { platformFetch } from './platform-fetch.js';
import { parseRetryAfter } from './retry-after.js';

/** Everything needed to call pCloud methods for one account. */
export interface PCloudClientConfig {
  readonly apiUrl: URL;
  readonly credentials: Credentials;
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** ms per request, body included; `Infinity` for none (savezip lasts as long as the zip). */
  readonly requestTimeout: number;
  readonly scheduler: SchedulerLike;
  /** Largest response body read, in bytes after decompression; default `DEFAULT_MAX_RESPONSE_BYTES`. */
  readonly maxResponseBytes?: number | undefined;
  /**
   * A method's own hints for its API errors, after the account hint every call gets (`saveZip$`
   * passes `savezipHint`; kept out of the client so a `zipProgress$`-only bundle leaves it out).
   */
  readonly hint?: ((context: HintContext) => string | undefined) | undefined;
}

/** Parameters of one pCloud call; undefined values are left out. */
export type PCloudParams = Readonly<Record<string, string | number | undefined>>;

function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Default cap on a response body, counted after decompression. pCloud's answers here are a few
 * hundred bytes; a proxy's error page a few kB. Anything near 1 MiB is not an answer to read.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** What every request of one call sends; the same for each retry and poll, so built once. */
interface PreparedCall {
  readonly method: string;
  readonly url: string;
  /** The host the call goes to, for messages (never secret: the URL carries no credentials). */
  readonly host: string;
  readonly params: PCloudParams;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Every text from the server or from fetch passes through it before reaching an error. */
  readonly scrubber: Scrubber;
  /**
   * The platform's fetch for this call's credential when no `fetch` option is given: in Node, a
   * connection pool of this credential's own (lib/node/account-pools.ts); undefined in browsers.
   */
  readonly platform: typeof globalThis.fetch | undefined;
}

function prepare(config: PCloudClientConfig, method: string, params: PCloudParams): PreparedCall {
  // Credentials go in the POST body or a header, never in the URL (proxy logs, history).
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) body.set(key, String(value));
  const { auth, accessToken } = config.credentials;
  if (auth !== undefined) body.set('auth', auth);
  // A string body with its type spelled out: a URLSearchParams object from another realm (jsdom,
  // a polyfill) would be sent by Node's fetch as text/plain.
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
  const url = methodUrl(config.apiUrl, method);
  const platform = config.fetch === undefined ? platformFetch(config.credentials) : undefined;
  return { method, url, host: new URL(url).host, params, body: body.toString(), headers, scrubber: new Scrubber(secretsOf(config.credentials)), platform };
}

/** A network failure: the root cause in the message, a scrubbed copy of the error as `cause`. */
function networkError(call: PreparedCall, what: string, error: unknown): TransportError {
  const { scrubber } = call;
  return new TransportError({
    kind: 'network',
    method: call.method,
    message: `${what} at ${call.host}: ${scrubber.text(causeText(error))}`,
    transient: true,
    cause: scrubbedCopy(error, scrubber),
  });
}

/**
 * The body as text, read as a stream and given up past `limit` bytes (after decompression, so a
 * small gzip bomb is caught too): the stream is cancelled, which closes the connection, and the
 * call fails with `ResponseDecodeError`. Memory stays within the limit whatever the server sends.
 */
/** Decodes whole bodies only (no `stream: true` state), so one instance serves every request. */
let utf8: TextDecoder | undefined;

/** Chunks as one array (most pCloud answers arrive in one chunk: no copy then). */
function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const [only] = chunks;
  if (chunks.length === 1 && only !== undefined) return only;
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/**
 * Reads the body as text, at most `limit` bytes (counted after decompression): past it the
 * stream is cancelled, so a huge or endless body costs neither memory nor time.
 */
async function readBody(response: Response, call: PreparedCall, limit: number, decodeContext: DecodeContext): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw networkError(call, 'connection lost while reading the body', error);
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > limit) {
      chunks.push(chunk.value.subarray(0, chunk.value.byteLength - (size - limit)));
      await reader.cancel().catch(() => undefined);
      throw responseTooLarge(decodeContext, (utf8 ??= new TextDecoder()).decode(concat(chunks, limit)), limit);
    }
    chunks.push(chunk.value);
  }
  return (utf8 ??= new TextDecoder()).decode(concat(chunks, size));
}

/**
 * How the abort signal reaches fetch. Given to ky, it is merged with ky's own signal through
 * `AbortSignal.any` on every request, an extra signal that costs measurable CPU per poll (Node
 * makes every signal transferable). The platform fetch honours `init.signal`, so it gets ours
 * there. A custom `fetch` may read only the Request's own signal: it still gets it through ky.
 */
function withSignal(custom: typeof globalThis.fetch | undefined, platform: typeof globalThis.fetch | undefined, signal: AbortSignal): { fetch: typeof globalThis.fetch } | { fetch?: typeof globalThis.fetch; signal: AbortSignal } {
  if (custom !== undefined) return { fetch: custom, signal };
  return { fetch: (input, init) => (platform ?? globalThis.fetch)(input, { ...init, signal }) };
}

async function send<A>(config: PCloudClientConfig, call: PreparedCall, codec: t.Decoder<unknown, A>, signal: AbortSignal): Promise<A> {
  const { method, host, scrubber } = call;
  let response: Response;
  try {
    response = await ky.post(call.url, {
      body: call.body,
      headers: call.headers,
      ...withSignal(config.fetch, call.platform, signal),
      // Retries, timeouts and errors are this library's job: ky only sends.
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      // A redirect could carry the body (and its token) to another origin: never follow one.
      redirect: 'manual',
    });
  } catch (error) {
    // ky's own errors are not used here (no timeout, no HTTP errors), so this is fetch failing
    // (or our own abort, whose error the already closed subscriber ignores). A custom fetch may
    // quote the body or the Authorization header: only scrubbed texts go further.
    throw networkError(call, 'network failure', error);
  }

  const { status } = response;
  if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
    await response.body?.cancel().catch(() => undefined);
    throw new TransportError({ kind: 'redirect', method, status, transient: false, message: `refused to follow a redirect (HTTP ${status}) from ${host}` });
  }
  if (status < 200 || status >= 300) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), config.scheduler.now());
    await response.body?.cancel().catch(() => undefined);
    // The reason phrase is the server's text like any other: scrubbed, and kept short.
    const reason = response.statusText ? ` ${excerpt(response.statusText, scrubber, 100)}` : '';
    throw new TransportError({
      kind: 'http',
      method,
      status,
      transient: isTransientStatus(status),
      message: `HTTP ${status}${reason} from ${host}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  const decodeContext: DecodeContext = {
    method,
    status,
    secrets: scrubber,
    hint: (code) => {
      const context: HintContext = { code, method, host, params: call.params };
      return accountHint(context) ?? config.hint?.(context);
    },
  };
  const text = await readBody(response, call, config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, decodeContext);
  return decodeResponse(codec, text, decodeContext);
}

/** The error of a call that had no complete answer (body included) within `ms`. */
export function requestTimeoutError(method: string, ms: number): TransportError {
  return new TransportError({ kind: 'timeout', method, transient: true, message: `no complete answer within ${ms} ms` });
}

/**
 * One pCloud call as a cold Observable: emits the decoded success body and completes, or fails
 * with `PCloudApiError`, `ResponseDecodeError` or `TransportError`. Unsubscribing aborts the
 * request (the server sees the connection close). The request (URL, form body, headers) is built
 * here, once: each subscription, poll or retry sends the same one.
 */
export function callPCloud$<A>(
  config: PCloudClientConfig,
  method: string,
  params: PCloudParams,
  codec: t.Decoder<unknown, A>,
): Observable<A> {
  const call = prepare(config, method, params);
  return new Observable<A>((subscriber) => {
    const controller = new AbortController();
    let settled = false;
    send(config, call, codec, controller.signal).then(
      (value) => {
        settled = true;
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => {
        settled = true;
        subscriber.error(error);
      },
    );
    // One scheduler wait (virtual time in tests; any length, chained past the platform timer
    // limit) bounds the request, body included: on expiry the request is aborted first, then
    // the stream fails.
    const { requestTimeout } = config;
    const timer = Number.isFinite(requestTimeout)
      ? scheduleAfter(config.scheduler, requestTimeout, () => {
          if (settled) return;
          settled = true;
          controller.abort();
          subscriber.error(requestTimeoutError(method, requestTimeout));
        }, undefined)
      : undefined;
    return () => {
      timer?.unsubscribe();
      // Aborting a finished request costs an exception and an event per poll: skip it.
      if (!settled) controller.abort();
    };
  });
}
