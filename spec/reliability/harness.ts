/**
 * Runs one row of the fault matrix over real HTTP and reports everything a spec may assert on:
 * emissions, how (and how often) the stream ended, what the server received before and after
 * the end, and every place a credential could have leaked to (server log, request URLs).
 */
import type { Subscription } from 'rxjs';
import { type ZipProgress, zipProgress$, type ZipProgressOptions } from '../../lib/index.js';
import { startFakePCloud, type FakePCloud } from '../../lib/testing/index.js';
import { requestsOf } from '../support/requests.js';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { sleep, waitFor } from '../support/wait.js';
import { type Counts, FAST_BACKOFF, MAX_RETRIES, type Row, type RowContext, type RowFacts } from './faults.table.js';

export type CredentialKind = 'auth' | 'accessToken';

export interface RowRun {
  readonly values: ZipProgress[];
  readonly completions: number;
  readonly errors: number;
  readonly error: unknown;
  /** Emissions or terminal calls observed after the first terminal call. */
  readonly afterEnd: number;
  /** Requests the server had received when the stream ended, and after the settle period. */
  readonly requestsAtEnd: number;
  readonly requestsAfterSettle: number;
  /** Calls to `fetch` made by the library after the stream ended (client-side view). */
  readonly fetchesAfterEnd: number;
  readonly facts: RowFacts;
  /** Everything the server side recorded that could carry a credential. */
  readonly serverTraces: {
    readonly logLines: readonly string[];
    readonly urls: readonly string[];
    readonly credentialLocations: readonly string[];
  };
}

export const PROGRESS_HASH = 'reliability-hash';
/** How long to keep watching after the end: several times FAST_BACKOFF.maxDelay. */
export const SETTLE_MS = 120;
const RUN_LIMIT_MS = 15_000;

interface Backend {
  readonly url: string;
  count(): number;
  /** Arrival times (Date.now) of the savezipprogress requests. */
  times(): number[];
  abortedByClient(): number;
  urls(): string[];
  credentialLocations(): string[];
  close(): Promise<void>;
}

async function emulatorBackend(row: Row & { server: { kind: 'emulator' } }, ctx: RowContext, kind: CredentialKind, logLines: string[]): Promise<Backend> {
  const fake: FakePCloud = await startFakePCloud({ log: (line) => logLines.push(line) });
  const user = fake.addUser(kind === 'auth' ? { auth: ctx.token } : { accessToken: ctx.token });
  if (row.server.job === 'done') {
    const { folderid } = user.mkdir('/src');
    user.writeFile('/src/a.txt', 'alpha');
    user.writeFile('/src/b.txt', 'bravo!');
    const res = await fetch(`${fake.url}/savezip`, {
      method: 'POST',
      body: new URLSearchParams({ auth: user.auth, folderid: String(folderid), topath: '/out.zip', progresshash: PROGRESS_HASH }),
    });
    const body = (await res.json()) as { result: number };
    if (body.result !== 0) throw new Error(`harness: savezip failed with ${body.result}`);
  }
  for (const { fault, times } of row.server.faults(ctx)) fake.inject('savezipprogress', fault, times === undefined ? undefined : { times });
  const polls = () => requestsOf(fake, 'savezipprogress');
  return {
    url: fake.url,
    count: () => polls().length,
    times: () => polls().map((r) => r.at),
    abortedByClient: () => polls().filter((r) => r.aborted).length,
    urls: () => fake.requests.map((r) => `/${r.method}?${new URLSearchParams(r.params).toString()}`),
    credentialLocations: () => polls().map((r) => r.credentials),
    close: () => fake.close(),
  };
}

async function scriptedBackend(row: Row & { server: { kind: 'scripted' } }, ctx: RowContext): Promise<Backend> {
  const server: ScriptedServer = await startScriptedServer();
  server.script(...row.server.script(ctx));
  const arrivals: number[] = [];
  // The scripted server does not timestamp requests: sample arrivals as they show up.
  const sampler = setInterval(() => {
    while (arrivals.length < server.requests.length) arrivals.push(Date.now());
  }, 1);
  return {
    url: server.url,
    count: () => server.requests.length,
    times: () => arrivals,
    abortedByClient: () => server.requests.filter((r) => r.closedEarly).length,
    urls: () => server.requests.map((r) => r.url),
    credentialLocations: () =>
      server.requests.map((r) => (r.url.includes('?') ? 'query' : r.headers.authorization !== undefined ? 'header' : r.body.includes('auth=') ? 'body' : 'none')),
    close: async () => {
      clearInterval(sampler);
      await server.close();
    },
  };
}

/** Options of one run: the row's own on top of the matrix defaults. */
export function rowOptions(row: Row, url: string, kind: CredentialKind, token: string, extra: Partial<ZipProgressOptions>): ZipProgressOptions {
  return {
    progresshash: PROGRESS_HASH,
    apiUrl: url,
    ...(kind === 'auth' ? { auth: token } : { accessToken: token }),
    backoff: FAST_BACKOFF,
    maxRetries: MAX_RETRIES,
    ...row.options,
    ...extra,
  };
}

/** Runs `row` once with `token` sent as `kind`. */
export async function runRow(row: Row, kind: CredentialKind, token: string): Promise<RowRun> {
  const ctx: RowContext = { token, now: Date.now() };
  const logLines: string[] = [];
  const backend = row.server.kind === 'emulator'
    ? await emulatorBackend(row as Row & { server: { kind: 'emulator' } }, ctx, kind, logLines)
    : await scriptedBackend(row as Row & { server: { kind: 'scripted' } }, ctx);
  const retryAfterHeaders = row.server.kind === 'emulator'
    ? row.server.faults(ctx).flatMap(({ fault }) => (fault.type === 'http' && fault.headers?.['Retry-After'] !== undefined ? [fault.headers['Retry-After']] : []))
    : [];

  let ended = false;
  let fetchesAfterEnd = 0;
  const countingFetch: typeof globalThis.fetch = (input, init) => {
    if (ended) fetchesAfterEnd += 1;
    return globalThis.fetch(input, init);
  };
  const controller = new AbortController();
  if (row.abort === 'before subscribe') controller.abort();

  const values: ZipProgress[] = [];
  let completions = 0;
  let errors = 0;
  let error: unknown;
  let afterEnd = 0;
  let requestsAtEnd = -1;
  let subscription: Subscription | undefined;
  try {
    const subscribedAt = Date.now();
    const stream = zipProgress$(rowOptions(row, backend.url, kind, token, { fetch: countingFetch, signal: controller.signal }));
    subscription = stream.subscribe({
      next: (value) => {
        if (ended) afterEnd += 1;
        values.push(value);
        if (row.abort === 'during a wait') {
          setTimeout(() => {
            controller.abort();
          }, 20);
        }
      },
      complete: () => {
        if (ended) afterEnd += 1;
        completions += 1;
        ended = true;
        requestsAtEnd = backend.count();
      },
      error: (e: unknown) => {
        if (ended) afterEnd += 1;
        errors += 1;
        error = e;
        ended = true;
        requestsAtEnd = backend.count();
      },
    });
    if (row.abort === 'during a request') {
      await waitFor(`the first request (harness, row '${row.name}')`, () => backend.count() >= 1, 5000, 2);
      controller.abort();
    }
    await waitFor(`the stream to end (harness, row '${row.name}')`, () => ended, RUN_LIMIT_MS, 2);
    await sleep(SETTLE_MS);
    const requestsAfterSettle = backend.count();
    const start = subscribedAt;
    return {
      values,
      completions,
      errors,
      error,
      afterEnd,
      requestsAtEnd,
      requestsAfterSettle,
      fetchesAfterEnd,
      facts: {
        error,
        requestTimes: backend.times().map((t) => t - start),
        retryAfterHeaders,
        abortedByClient: backend.abortedByClient(),
        subscribedAt,
      },
      serverTraces: { logLines, urls: backend.urls(), credentialLocations: backend.credentialLocations() },
    };
  } finally {
    subscription?.unsubscribe();
    await backend.close();
  }
}

export const countsOf = (p: ZipProgress): Counts => [p.files, p.totalfiles, p.bytes, p.totalbytes];

/** Runs `tasks` with at most `limit` at a time. */
export async function inParallel<T>(limit: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next;
      next += 1;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
