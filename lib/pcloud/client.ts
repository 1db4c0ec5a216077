import ky from 'ky';
import type * as t from 'io-ts';
import { Observable, type SchedulerLike } from 'rxjs';
import { TransportError } from '../errors/transport-error.js';
import { scheduleAfter } from '../poll/schedule-after.js';
import { type Credentials, secretsOf } from './credentials.js';
import { decodeResponse } from './decode.js';
import { methodUrl } from './endpoint.js';
import { parseRetryAfter } from './retry-after.js';

/** Everything needed to call pCloud methods for one account. */
export interface PCloudClientConfig {
  readonly apiUrl: URL;
  readonly credentials: Credentials;
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** ms per request, body included; `Infinity` for none (savezip lasts as long as the zip). */
  readonly requestTimeout: number;
  readonly scheduler: SchedulerLike;
}

/** Parameters of one pCloud call; undefined values are left out. */
export type PCloudParams = Readonly<Record<string, string | number | undefined>>;

/** An error's message, also for errors from another realm (where `instanceof Error` fails). */
function messageOf(error: unknown): string {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : 'unknown';
}

function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** What every request of one call sends; the same for each retry and poll, so built once. */
interface PreparedCall {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly secrets: readonly (string | undefined)[];
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
  return { method, url: methodUrl(config.apiUrl, method), body: body.toString(), headers, secrets: secretsOf(config.credentials) };
}

async function send<A>(config: PCloudClientConfig, call: PreparedCall, codec: t.Decoder<unknown, A>, signal: AbortSignal): Promise<A> {
  const { method } = call;
  let response: Response;
  try {
    response = await ky.post(call.url, {
      body: call.body,
      headers: call.headers,
      signal,
      fetch: config.fetch,
      // Retries, timeouts and errors are this library's job: ky only sends.
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      // A redirect could carry the body (and its token) to another origin: never follow one.
      redirect: 'manual',
    });
  } catch (error) {
    // ky's own errors are not used here (no timeout, no HTTP errors), so this is fetch failing
    // (or our own abort, whose error the already closed subscriber ignores).
    throw new TransportError({
      kind: 'network',
      method,
      message: `network failure (${messageOf(error)})`,
      transient: true,
      cause: error,
    });
  }

  const { status } = response;
  if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
    await response.body?.cancel().catch(() => undefined);
    throw new TransportError({ kind: 'redirect', method, status, transient: false, message: `refused to follow a redirect (HTTP ${status})` });
  }
  if (status < 200 || status >= 300) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), config.scheduler.now());
    await response.body?.cancel().catch(() => undefined);
    throw new TransportError({
      kind: 'http',
      method,
      status,
      transient: isTransientStatus(status),
      message: `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  const text = await response.text().catch((error: unknown) => {
    throw new TransportError({ kind: 'network', method, transient: true, message: 'connection lost while reading the body', cause: error });
  });
  return decodeResponse(codec, text, { method, status, secrets: call.secrets });
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
          subscriber.error(new TransportError({ kind: 'timeout', method, transient: true, message: `no complete answer within ${requestTimeout} ms` }));
        }, undefined)
      : undefined;
    return () => {
      timer?.unsubscribe();
      // Aborting a finished request costs an exception and an event per poll: skip it.
      if (!settled) controller.abort();
    };
  });
}
