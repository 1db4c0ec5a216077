/**
 * The fault matrix: one row per fault the library must survive (or fail on) with an exact,
 * documented outcome. Rows are data; `harness.ts` runs them over real HTTP against the pCloud
 * emulator (`lib/testing`) or, for scripted progress sequences, `spec/support/scripted-server.ts`.
 *
 * Every row runs with `maxRetries: MAX_RETRIES` and the fast schedule `FAST_BACKOFF` unless it
 * says otherwise. Server answers are built from a context so that the credential spec can have
 * the server echo the caller's token back (`ctx.token`), which a leak would then carry.
 */
import { concat, map, of, timer } from 'rxjs';
import { AbortError, PCloudApiError, ProgressTimeoutError, ResponseDecodeError, TransportError, type ZipProgressOptions } from '../../lib/index.js';
import type { Fault } from '../../lib/testing/index.js';
import type { Answer } from '../support/scripted-server.js';

export const MAX_RETRIES = 2;
export const FAST_BACKOFF = { initialDelay: 5, maxDelay: 20, factor: 2, jitter: 'none' } as const;

/** `[files, totalfiles, bytes, totalbytes]`. */
export type Counts = readonly [number, number, number, number];

/** What the emulator's finished job reports: two files, `alpha` and `bravo!`. */
export const DONE_JOB: Counts = [2, 2, 11, 11];

export interface RowContext {
  /** The caller's token: servers in some rows echo it back. */
  readonly token: string;
  /** Date.now() when the row is built (for Retry-After dates). */
  readonly now: number;
}

export type ErrorClass = typeof PCloudApiError | typeof TransportError | typeof ResponseDecodeError | typeof ProgressTimeoutError | typeof AbortError;

export type ExpectedOutcome = { readonly complete: true } | { readonly error: ErrorClass; readonly match: Readonly<Record<string, unknown>> };

/** Extra facts a row may check beyond emissions, outcome and request count. */
export interface RowFacts {
  readonly error: unknown;
  /** Arrival time of each request at the server, ms since subscription (Date.now clock). */
  readonly requestTimes: readonly number[];
  /** The Retry-After header values the row's faults sent, in order. */
  readonly retryAfterHeaders: readonly string[];
  /** Requests the client closed before the server answered (emulator rows only). */
  readonly abortedByClient: number;
  /** Date.now() at subscription. */
  readonly subscribedAt: number;
}

export interface Row {
  readonly name: string;
  readonly group: 'transient' | 'fatal' | 'bad body' | 'odd progress' | 'timing';
  /**
   * `emulator`: a fresh emulator; `job: 'done'` runs a real savezip first (a finished 2-file
   * zip, so an unfaulted poll answers DONE_JOB), `'none'` leaves the hash unknown (1901).
   * `faults` are queued on savezipprogress in order.
   * `scripted`: the scripted server answers `script` in order, the last one repeating.
   */
  readonly server:
    | { readonly kind: 'emulator'; readonly job: 'done' | 'none'; readonly faults: (ctx: RowContext) => readonly { fault: Fault; times?: number }[] }
    | { readonly kind: 'scripted'; readonly script: (ctx: RowContext) => readonly Answer[] };
  readonly options?: Partial<ZipProgressOptions>;
  readonly abort?: 'before subscribe' | 'during a request' | 'during a wait';
  readonly expect: {
    readonly emits: readonly Counts[];
    readonly outcome: ExpectedOutcome;
    /** Requests the server received, counted after the stream ended and a settle period. */
    readonly requests: number;
    /** Row-specific facts (timing of Retry-After, excerpt bounds...); returns problems found. */
    readonly check?: (facts: RowFacts) => string[];
  };
}

const json = (value: unknown): string => JSON.stringify(value);
const progress = ([files, totalfiles, bytes, totalbytes]: Counts): Record<string, number> => ({ result: 0, files, totalfiles, bytes, totalbytes });
const said = (counts: Counts): Answer => ({ body: progress(counts) });

/** Gap between two request arrivals must cover `minMs` (Retry-After honoured). */
function gapAtLeast(facts: RowFacts, from: number, minMs: number): string[] {
  const a = facts.requestTimes[from];
  const b = facts.requestTimes[from + 1];
  if (a === undefined || b === undefined) return [`expected requests ${from} and ${from + 1}`];
  return b - a >= minMs ? [] : [`request ${from + 1} came ${b - a} ms after request ${from}, Retry-After asked for ${minMs} ms`];
}


interface TransientSpec {
  readonly name: string;
  readonly fault: (ctx: RowContext) => Fault;
  readonly error: ExpectedOutcome & { error: ErrorClass };
  /** Rows with real waits (Retry-After) use fewer retries to keep the suite short. */
  readonly maxRetries?: number;
  /** Options of both rows (besides `maxRetries`, set by the field above). */
  readonly options?: Partial<Omit<ZipProgressOptions, 'maxRetries'>>;
  /** Row-specific facts, checked on both rows (recovered once, and retries exhausted). */
  readonly check?: (facts: RowFacts) => string[];
}

const retryAfterDate = (ctx: RowContext): string => new Date(ctx.now + 1500).toUTCString();

/** The absolute time the Retry-After date allows the next request at (ms since subscription). */
function afterDate(facts: RowFacts, index: number): string[] {
  const header = facts.retryAfterHeaders[0];
  const at = facts.requestTimes[index];
  if (header === undefined || at === undefined) return ['missing Retry-After header, request or subscription time'];
  const allowedAt = Date.parse(header) - facts.subscribedAt;
  // Timers may fire a millisecond early through rounding; the server clock is the same clock.
  return at >= allowedAt - 2 ? [] : [`request ${index} arrived at ${at} ms, before the Retry-After date (${allowedAt} ms)`];
}

const SLOW_REQUEST_TIMEOUT = 100;
const THIRTY_DAYS = 30 * 86_400_000;

const TRANSIENT: readonly TransientSpec[] = [
  { name: 'API 5000 internal error', fault: () => ({ type: 'api-error', code: 5000 }), error: { error: PCloudApiError, match: { code: 5000, transient: true } } },
  { name: 'API 5002 no servers available', fault: () => ({ type: 'api-error', code: 5002 }), error: { error: PCloudApiError, match: { code: 5002, transient: true } } },
  { name: 'API 5001 internal upload error', fault: () => ({ type: 'api-error', code: 5001 }), error: { error: PCloudApiError, match: { code: 5001, transient: true } } },
  { name: 'API 5003 write error', fault: () => ({ type: 'api-error', code: 5003 }), error: { error: PCloudApiError, match: { code: 5003, transient: true } } },
  { name: 'API 5004 read error', fault: () => ({ type: 'api-error', code: 5004 }), error: { error: PCloudApiError, match: { code: 5004, transient: true } } },
  { name: 'API 5999 (an unlisted 5xxx: internal)', fault: () => ({ type: 'api-error', code: 5999 }), error: { error: PCloudApiError, match: { code: 5999, transient: true } } },
  { name: 'API 4010 (an unlisted 4xxx: rate limiting)', fault: () => ({ type: 'api-error', code: 4010 }), error: { error: PCloudApiError, match: { code: 4010, transient: true } } },
  // Waited out like every 4xxx since 4000 stopped being final (api.txt: "retry ... at a later stage").
  { name: 'API 4000 too many login tries (rate limiting)', fault: () => ({ type: 'api-error', code: 4000 }), error: { error: PCloudApiError, match: { code: 4000, transient: true } } },
  { name: 'HTTP 500', fault: () => ({ type: 'http', status: 500 }), error: { error: TransportError, match: { kind: 'http', status: 500, transient: true } } },
  { name: 'HTTP 502 with an HTML page', fault: () => ({ type: 'http', status: 502 }), error: { error: TransportError, match: { kind: 'http', status: 502, transient: true } } },
  { name: 'HTTP 503', fault: () => ({ type: 'http', status: 503, body: '' }), error: { error: TransportError, match: { kind: 'http', status: 503, transient: true } } },
  { name: 'HTTP 504', fault: () => ({ type: 'http', status: 504 }), error: { error: TransportError, match: { kind: 'http', status: 504, transient: true } } },
  {
    name: 'HTTP 429 with Retry-After: 1 (seconds)',
    fault: () => ({ type: 'http', status: 429, body: 'slow down', headers: { 'Retry-After': '1' } }),
    error: { error: TransportError, match: { kind: 'http', status: 429, transient: true, retryAfterMs: 1000 } },
    maxRetries: 1,
    check: (facts) => gapAtLeast(facts, 0, 1000),
  },
  {
    name: 'HTTP 429 with Retry-After as an HTTP date',
    fault: (ctx) => ({ type: 'http', status: 429, body: 'slow down', headers: { 'Retry-After': retryAfterDate(ctx) } }),
    error: { error: TransportError, match: { kind: 'http', status: 429, transient: true } },
    maxRetries: 1,
    check: (facts) => afterDate(facts, 1),
  },
  { name: 'a dropped connection', fault: () => ({ type: 'drop' }), error: { error: TransportError, match: { kind: 'network', transient: true } } },
  {
    name: 'a response slower than requestTimeout',
    fault: () => ({ type: 'latency', ms: 400 }),
    error: { error: TransportError, match: { kind: 'timeout', transient: true } },
    options: { requestTimeout: SLOW_REQUEST_TIMEOUT },
  },
];

function transientRows(): Row[] {
  return TRANSIENT.flatMap((spec): Row[] => {
    const maxRetries = spec.maxRetries ?? MAX_RETRIES;
    const options: Partial<ZipProgressOptions> = { ...spec.options, maxRetries };
    const check = spec.check ? { check: spec.check } : {};
    return [
      {
        name: `transient: ${spec.name} once -> recovers and completes`,
        group: 'transient',
        server: { kind: 'emulator', job: 'done', faults: (ctx) => [{ fault: spec.fault(ctx) }] },
        options,
        expect: { emits: [DONE_JOB], outcome: { complete: true }, requests: 2, ...check },
      },
      {
        name: `transient: ${spec.name} ${maxRetries + 1} times in a row (maxRetries ${maxRetries}) -> fails with it`,
        group: 'transient',
        server: { kind: 'emulator', job: 'done', faults: (ctx) => [{ fault: spec.fault(ctx), times: maxRetries + 1 }] },
        options,
        expect: { emits: [], outcome: spec.error, requests: maxRetries + 1, ...check },
      },
    ];
  });
}

function fatalRows(): Row[] {
  const api = (code: number, text?: (ctx: RowContext) => string): Row => ({
    name: `fatal: API ${code}${text ? ' (error text echoes the token)' : ''}`,
    group: 'fatal',
    server: { kind: 'emulator', job: 'done', faults: (ctx) => [{ fault: { type: 'api-error', code, ...(text ? { error: text(ctx) } : {}) } }] },
    expect: { emits: [], outcome: { error: PCloudApiError, match: { code, transient: false, method: 'savezipprogress' } }, requests: 1 },
  });
  const http = (status: number): Row => ({
    name: `fatal: HTTP ${status}`,
    group: 'fatal',
    server: { kind: 'emulator', job: 'done', faults: () => [{ fault: { type: 'http', status } }] },
    expect: { emits: [], outcome: { error: TransportError, match: { kind: 'http', status, transient: false } }, requests: 1 },
  });
  return [
    api(1000),
    api(2000, (ctx) => `Log in failed for auth=${ctx.token}`),
    api(2094, (ctx) => `Invalid 'access_token' provided: ${ctx.token}`),
    api(7777),
    // Echoed in other spellings: lowercase %xx, form encoding, JSON \u escapes in lower case.
    api(2003, (ctx) => `Access denied: ${encodeURIComponent(ctx.token).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())} ${new URLSearchParams({ t: ctx.token }).toString()} ${Array.from({ length: ctx.token.length }, (_, i) => `\\u${ctx.token.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}`),
    http(401),
    http(403),
    http(404),
    {
      name: 'fatal: 1901 after progress was seen',
      group: 'fatal',
      server: {
        kind: 'emulator',
        job: 'none',
        faults: () => [{ fault: { type: 'body', body: json(progress([1, 3, 10, 30])) } }, { fault: { type: 'api-error', code: 1901 } }],
      },
      expect: { emits: [[1, 3, 10, 30]], outcome: { error: PCloudApiError, match: { code: 1901 } }, requests: 2 },
    },
    {
      // Fixed 200 ms waits: answers at ~0 and ~200 ms fall inside the 300 ms grace, the third
      // (~400 ms) after it. Wide margins so a loaded machine keeps the exact count.
      name: 'fatal: 1901 past notFoundGrace',
      group: 'fatal',
      server: { kind: 'emulator', job: 'none', faults: () => [] },
      options: { notFoundGrace: 300, backoff: () => 200 },
      expect: { emits: [], outcome: { error: PCloudApiError, match: { code: 1901 } }, requests: 3 },
    },
  ];
}

const FIVE_MB = 5 * 1024 * 1024;

function badBodyRows(): Row[] {
  const bad = (name: string, body: (ctx: RowContext) => string, paths: readonly string[], check?: (facts: RowFacts) => string[]): Row => ({
    name: `bad body: ${name}`,
    group: 'bad body',
    server: { kind: 'emulator', job: 'done', faults: (ctx) => [{ fault: { type: 'body', body: body(ctx) } }] },
    expect: {
      emits: [],
      outcome: { error: ResponseDecodeError, match: { paths, status: 200, method: 'savezipprogress' } },
      requests: 1,
      ...(check ? { check } : {}),
    },
  });
  const valid = progress(DONE_JOB);
  const messageBounded = (facts: RowFacts): string[] => {
    const { message } = facts.error as Error;
    return message.length < 600 ? [] : [`message is ${message.length} characters long`];
  };
  return [
    bad('invalid JSON (echoes the token)', (ctx) => `{"result":0,"files":1,"auth":"${ctx.token}"`, ['(body)']),
    bad('empty body', () => '', ['(body)'], (facts) => ((facts.error as Error).message.includes('empty') ? [] : ['message does not say "empty"'])),
    bad('a JSON array', () => json([valid]), ['(root)']),
    bad('a missing field', () => json({ result: 0, files: 1, totalfiles: 2, bytes: 3 }), ['totalbytes']),
    bad('numbers as strings', () => json({ ...valid, files: '2', bytes: '11' }), ['files', 'bytes']),
    bad('a negative number', () => json({ ...valid, bytes: -1 }), ['bytes']),
    bad('a float', () => json({ ...valid, files: 1.5 }), ['files']),
    bad('a number past 2^53', () => '{"result":0,"files":1,"totalfiles":2,"bytes":3,"totalbytes":9007199254740993}', ['totalbytes']),
    bad('`result` missing', () => json({ files: 2, totalfiles: 2, bytes: 11, totalbytes: 11 }), ['result']),
    bad('5 MB of non-JSON (echoes the token at the start)', (ctx) => `${ctx.token} ${'x'.repeat(FIVE_MB)}`, ['(body)'], messageBounded),
    {
      name: 'bad body: 5 MB of valid JSON (a huge extra field) with maxResponseBytes 8 MiB -> accepted, extra fields ignored',
      group: 'bad body',
      server: { kind: 'emulator', job: 'none', faults: () => [{ fault: { type: 'body', body: json({ ...valid, padding: 'p'.repeat(FIVE_MB) }) } }] },
      options: { maxResponseBytes: 8 * 1024 * 1024 },
      expect: { emits: [DONE_JOB], outcome: { complete: true }, requests: 1 },
    },
    // Past the default 1 MiB limit: reading stops, nothing is retried.
    bad('5 MB of valid JSON, past the default 1 MiB maxResponseBytes', (ctx) => json({ ...valid, auth: ctx.token, padding: 'p'.repeat(FIVE_MB) }), ['(body)'], messageBounded),
    bad('a body echoing the token as JSON \\u escapes and form encoding', (ctx) => `{"result":0,"a":"${Array.from({ length: ctx.token.length }, (_, i) => `\\u${ctx.token.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`).join('')}","b":"${new URLSearchParams({ t: ctx.token }).toString()}","files":"x","totalfiles":2,"bytes":11,"totalbytes":11}`, ['files']),
  ];
}

function oddProgressRows(): Row[] {
  const scripted = (name: string, steps: readonly Counts[], emits: readonly Counts[]): Row => ({
    name: `odd progress: ${name}`,
    group: 'odd progress',
    server: { kind: 'scripted', script: () => steps.map(said) },
    expect: { emits, outcome: { complete: true }, requests: steps.length },
  });
  return [
    scripted('totals of 0 (an empty zip) -> done at once', [[0, 0, 0, 0]], [[0, 0, 0, 0]]),
    scripted('files > totalfiles -> done', [[0, 2, 0, 20], [3, 2, 30, 20]], [[0, 2, 0, 20], [3, 2, 30, 20]]),
    scripted(
      'progress going backwards -> each emitted as a change, done only at files >= totalfiles',
      [[2, 4, 20, 40], [1, 4, 10, 40], [3, 4, 30, 40], [0, 4, 0, 40], [4, 4, 40, 40]],
      [[2, 4, 20, 40], [1, 4, 10, 40], [3, 4, 30, 40], [0, 4, 0, 40], [4, 4, 40, 40]],
    ),
    scripted(
      'totals growing mid-job -> not done at the old total',
      [[1, 2, 10, 20], [2, 3, 20, 30], [2, 3, 20, 30], [3, 4, 30, 40], [4, 4, 40, 40]],
      [[1, 2, 10, 20], [2, 3, 20, 30], [3, 4, 30, 40], [4, 4, 40, 40]],
    ),
    scripted('totals shrinking mid-job -> done as soon as files >= totalfiles', [[2, 5, 20, 50], [2, 2, 20, 20]], [[2, 5, 20, 50], [2, 2, 20, 20]]),
    scripted(
      'duplicate answers -> not re-emitted',
      [[0, 3, 0, 30], [0, 3, 0, 30], [1, 3, 10, 30], [1, 3, 10, 30], [1, 3, 10, 30], [3, 3, 30, 30]],
      [[0, 3, 0, 30], [1, 3, 10, 30], [3, 3, 30, 30]],
    ),
    scripted('only bytes moving -> a change', [[1, 3, 10, 30], [1, 3, 15, 30], [3, 3, 30, 30]], [[1, 3, 10, 30], [1, 3, 15, 30], [3, 3, 30, 30]]),
  ];
}

function timingRows(): Row[] {
  // Fixed 400 ms waits: requests at ~0, ~400, ~800 ms; limits at 1000 ms fall in the middle of
  // the third wait, 200 ms from either neighbour (50 ms was too little on a loaded 2-core machine:
  // the third answer came after the limit).
  const every400 = (): number => 400;
  return [
    {
      name: 'timing: stallTimeout on a stuck job -> ProgressTimeoutError(stall) with the last snapshot',
      group: 'timing',
      server: { kind: 'scripted', script: () => [said([1, 5, 10, 50])] },
      options: { stallTimeout: 1000, backoff: every400 },
      expect: {
        emits: [[1, 5, 10, 50]],
        outcome: { error: ProgressTimeoutError, match: { reason: 'stall', timeoutMs: 1000, lastProgress: expect.objectContaining({ files: 1, totalfiles: 5, bytes: 10, totalbytes: 50 }) } },
        requests: 3,
      },
    },
    {
      name: 'timing: timeout on a slow job -> ProgressTimeoutError(deadline) with the last snapshot',
      group: 'timing',
      server: { kind: 'scripted', script: () => [said([0, 9, 0, 90]), said([1, 9, 10, 90]), said([2, 9, 20, 90]), said([3, 9, 30, 90])] },
      options: { timeout: 1000, backoff: every400 },
      expect: {
        emits: [[0, 9, 0, 90], [1, 9, 10, 90], [2, 9, 20, 90]],
        outcome: { error: ProgressTimeoutError, match: { reason: 'deadline', timeoutMs: 1000, lastProgress: expect.objectContaining({ files: 2 }) } },
        requests: 3,
      },
    },
    {
      name: 'timing: abort through signal before subscribe -> AbortError, nothing sent',
      group: 'timing',
      server: { kind: 'emulator', job: 'done', faults: () => [] },
      abort: 'before subscribe',
      expect: { emits: [], outcome: { error: AbortError, match: { name: 'AbortError' } }, requests: 0 },
    },
    {
      name: 'timing: abort through signal during a request -> AbortError, the request is cancelled',
      group: 'timing',
      server: { kind: 'emulator', job: 'done', faults: () => [{ fault: { type: 'hang' } }] },
      abort: 'during a request',
      expect: {
        emits: [],
        outcome: { error: AbortError, match: { name: 'AbortError' } },
        requests: 1,
        check: (facts) => (facts.abortedByClient === 1 ? [] : [`server saw ${facts.abortedByClient} requests closed by the client, expected 1`]),
      },
    },
    {
      name: 'timing: abort through signal during a wait -> AbortError, nothing sent after',
      group: 'timing',
      server: { kind: 'scripted', script: () => [said([1, 5, 10, 50])] },
      options: { backoff: () => 10_000 },
      abort: 'during a wait',
      expect: { emits: [[1, 5, 10, 50]], outcome: { error: AbortError, match: { name: 'AbortError' } }, requests: 1 },
    },
    {
      name: 'timing: paused for the whole job -> the deadline fires, nothing sent',
      group: 'timing',
      server: { kind: 'emulator', job: 'done', faults: () => [] },
      options: { paused: of(true), timeout: 300 },
      expect: { emits: [], outcome: { error: ProgressTimeoutError, match: { reason: 'deadline', timeoutMs: 300 } }, requests: 0 },
    },
    {
      name: 'timing: paused 300 ms from the start with stallTimeout 100 -> no stall, polled at the resume, completes',
      group: 'timing',
      server: { kind: 'emulator', job: 'done', faults: () => [] },
      options: { paused: concat(of(true), timer(300).pipe(map(() => false))), stallTimeout: 100 },
      expect: {
        emits: [DONE_JOB],
        outcome: { complete: true },
        requests: 1,
        check: (facts) => ((facts.requestTimes[0] ?? 0) >= 298 ? [] : [`the first request came at ${facts.requestTimes[0]} ms, while paused`]),
      },
    },
    {
      // Past the platform timer limit (2^31-1 ms) a plain timer fires at once: every request
      // aborted, the deadline hit after 1 ms. Chained timers wait as long as asked.
      name: 'timing: timeout, stallTimeout, requestTimeout and notFoundGrace of 30 days on slow answers -> completes',
      group: 'timing',
      server: { kind: 'scripted', script: () => [{ ...said([0, 2, 0, 20]), delayMs: 60 }, { ...said([2, 2, 20, 20]), delayMs: 60 }] },
      options: { timeout: THIRTY_DAYS, stallTimeout: THIRTY_DAYS, requestTimeout: THIRTY_DAYS, notFoundGrace: THIRTY_DAYS, backoff: every400 },
      expect: { emits: [[0, 2, 0, 20], [2, 2, 20, 20]], outcome: { complete: true }, requests: 2 },
    },
  ];
}

/** Every row of the matrix. */
export const ROWS: readonly Row[] = [...transientRows(), ...fatalRows(), ...badBodyRows(), ...oddProgressRows(), ...timingRows()];
