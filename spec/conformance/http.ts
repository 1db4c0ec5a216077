/**
 * The suite's only way to reach the server: Node's `fetch` over an undici `Agent` the check owns,
 * so a check decides which requests share a connection and can count the connections opened.
 */
import { Agent, buildConnector } from 'undici';
import type { Dispatcher } from 'undici';
import type { Account } from './target.js';

/** A keep-alive pool of at most one connection that counts the connections it opened. */
export interface OneConnection {
  readonly dispatcher: Agent;
  /** Connections opened so far: 1 while every request shared one socket. */
  opened(): number;
  close(): Promise<void>;
}

/**
 * One connection at a time, one request at a time on it (no pipelining): requests sent through it
 * share a socket unless the server closes it, which shows as a second connection.
 */
export function oneConnection(): OneConnection {
  let opened = 0;
  const connector = buildConnector({});
  const dispatcher = new Agent({
    connections: 1,
    pipelining: 1,
    connect: (options, callback) => {
      opened++;
      connector(options, callback);
    },
  });
  return { dispatcher, opened: () => opened, close: () => dispatcher.close() };
}

/** Where a call's parameters travel; credentials go in the body unless a check says otherwise. */
export interface CallParts {
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: Readonly<Record<string, string>>;
  readonly cookie?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs?: number;
}

/** An answer as the wire had it: HTTP status, headers, and the JSON body. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Readonly<Record<string, unknown>>;
}

/** The parameter an account authenticates with: `auth` when it has one, else `access_token`. */
export function credentialParams(account: Account): Record<string, string> {
  if (account.auth !== undefined) return { auth: account.auth };
  if (account.accessToken !== undefined) return { access_token: account.accessToken };
  return {};
}

/** The `Cookie` header for `cookie` (values percent-encoded where a cookie cannot hold them). */
function cookieHeader(cookie: Readonly<Record<string, string>>): string {
  return Object.entries(cookie)
    .map(([name, value]) => `${name}=${encodeURIComponent(value).replace(/%2F/g, '/')}`)
    .join('; ');
}

/** `baseUrl/method` with `parts.query` as its query string. */
export function methodUrl(baseUrl: string, method: string, query: Readonly<Record<string, string>> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `${baseUrl}/${method}${search === '' ? '' : `?${search}`}`;
}

/**
 * Calls `method`: a POST with a form body when `parts.body` is given, else a GET. Rejects when no
 * HTTP answer arrives or the body is not JSON.
 */
export async function call(baseUrl: string, method: string, parts: CallParts): Promise<Answer> {
  const headers: Record<string, string> = { ...parts.headers };
  if (parts.cookie !== undefined) headers.cookie = cookieHeader(parts.cookie);
  const init = {
    method: parts.body === undefined ? 'GET' : 'POST',
    headers,
    body: parts.body === undefined ? undefined : new URLSearchParams(parts.body),
    // Node's fetch takes undici's dispatcher: the connection this call goes over.
    dispatcher: parts.dispatcher,
    signal: AbortSignal.timeout(parts.timeoutMs ?? 120_000),
  };
  const response = await fetch(methodUrl(baseUrl, method, parts.query), init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`/${method}: HTTP ${response.status}, the body is not JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`/${method}: HTTP ${response.status}, the body is not a JSON object`);
  return { status: response.status, headers: response.headers, body: body as Record<string, unknown> };
}

/** Uploads `files` into folder `folderid` as one multipart POST (pCloud's uploadfile). */
export async function upload(baseUrl: string, account: Account, folderid: number, files: ReadonlyMap<string, string>, dispatcher: Dispatcher): Promise<Answer> {
  const form = new FormData();
  // The credential in the form, before the files; the rest in the query, as public clients send it.
  for (const [name, value] of Object.entries(credentialParams(account))) form.append(name, value);
  for (const [name, data] of files) form.append('file', new Blob([data], { type: 'text/plain' }), name);
  const init = { method: 'POST', body: form, dispatcher, signal: AbortSignal.timeout(120_000) };
  const response = await fetch(methodUrl(baseUrl, 'uploadfile', { folderid: String(folderid), nopartial: '1' }), init);
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, headers: response.headers, body };
}

/** The `result` of an answer (NaN when missing or not a number). */
export function resultOf(answer: Answer): number {
  return typeof answer.body.result === 'number' ? answer.body.result : NaN;
}
