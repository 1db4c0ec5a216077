/**
 * Property-based tests (fast-check).
 *
 * (a) The decoder accepts every valid savezipprogress body, whatever extra fields come with it,
 *     and turns everything else into a typed error, never a raw exception.
 * (b) For any finite sequence of server answers, zipProgress$ behaves exactly like a small
 *     reference model and keeps its invariants; run in virtual time (jest fake timers and a
 *     `fetch` stub), so hundreds of sequences take seconds.
 *
 * Failures print fast-check's seed and path; set FC_SEED (and FC_PATH) to replay one.
 */
import fc from 'fast-check';
import { PCloudApiError, ResponseDecodeError, TransportError, type ZipProgress, zipProgress$ } from '../../lib/index.js';
import { decodeResponse } from '../../lib/pcloud/decode.js';
import { SaveZipProgressBody } from '../../lib/pcloud/codecs.js';
import { seededRandom } from '../../lib/testing/seeded-random.js';
import { thrownBy } from '../support/thrown.js';
import type { Counts } from './faults.table.js';

const NUM_RUNS = 200;
const seedOptions = (): fc.Parameters<unknown> => ({
  numRuns: NUM_RUNS,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
  ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
});

const FIELDS = ['files', 'totalfiles', 'bytes', 'totalbytes'] as const;
const CTX = { method: 'savezipprogress', status: 200, secrets: ['decoder-secret-token'] };

/** A JSON object text built key by key, so any key (even `__proto__`) reaches JSON.parse verbatim. */
const objectText = (entries: readonly (readonly [string, unknown])[]): string =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;

const count = fc.oneof(fc.nat({ max: 1000 }), fc.maxSafeNat());
const extraKey = fc.string({ maxLength: 12 }).filter((key) => key !== 'result' && !(FIELDS as readonly string[]).includes(key));
const extras = fc.uniqueArray(fc.tuple(extraKey, fc.jsonValue({ maxDepth: 2 })), { selector: ([key]) => key, maxLength: 6 });
const validBody = fc.record({ files: count, totalfiles: count, bytes: count, totalbytes: count });

/** Values a count must not be: each one alone makes the body invalid. */
const badCount = fc.oneof(
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.constantFrom(2 ** 53, 2 ** 53 + 2, 1e300, -0.5),
  fc.nat().map(String),
  fc.constantFrom(null, true, false, [], {}, '', 'NaN'),
);

/** The reference verdict of a parsed body, written independently of the library's codecs. */
function verdict(json: unknown): { kind: 'ok' } | { kind: 'api'; code: number } | { kind: 'decode' } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { kind: 'decode' };
  const body = json as Record<string, unknown>;
  const result = body.result;
  if (typeof result !== 'number' || !Number.isInteger(result)) return { kind: 'decode' };
  if (result === 0) {
    const okCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    return FIELDS.every((field) => okCount(body[field])) ? { kind: 'ok' } : { kind: 'decode' };
  }
  return typeof body.error === 'string' ? { kind: 'api', code: result } : { kind: 'decode' };
}

/** Runs the decoder and checks it against the reference verdict; never a raw exception. */
function decodesAsSpecified(text: string): void {
  let json: unknown = undefined;
  let parsed = true;
  try {
    json = JSON.parse(text);
  } catch {
    parsed = false;
  }
  const expected = parsed ? verdict(json) : ({ kind: 'decode' } as const);
  const decode = (): unknown => decodeResponse(SaveZipProgressBody, text, CTX);
  switch (expected.kind) {
    case 'ok': {
      let value: unknown;
      expect(() => {
        value = decode();
      }).not.toThrow();
      const body = json as Record<string, unknown>;
      expect(value).toMatchObject(Object.fromEntries(FIELDS.map((field) => [field, body[field]])));
      break;
    }
    case 'api': {
      const thrown = thrownBy(decode);
      expect(thrown).toBeInstanceOf(PCloudApiError);
      expect(thrown).toMatchObject({ code: expected.code, method: 'savezipprogress' });
      break;
    }
    case 'decode': {
      const thrown = thrownBy(decode);
      expect(thrown).toBeInstanceOf(ResponseDecodeError);
      expect((thrown as ResponseDecodeError).paths.length).toBeGreaterThan(0);
      expect((thrown as Error).message).not.toContain(CTX.secrets[0]);
      break;
    }
  }
}

describe('property (a): the savezipprogress decoder', () => {
  it(`property (${NUM_RUNS} runs): accepts every valid body with arbitrary extra fields, in any order`, () => {
    fc.assert(
      fc.property(validBody, extras, fc.boolean(), (body, extra, extrasFirst) => {
        const known = [['result', 0], ...FIELDS.map((field) => [field, body[field]] as const)] as const;
        const text = objectText(extrasFirst ? [...extra, ...known] : [...known, ...extra]);
        expect(decodeResponse(SaveZipProgressBody, text, CTX)).toMatchObject(body);
      }),
      seedOptions(),
    );
  });

  it(`property (${NUM_RUNS} runs): rejects a body with one bad or missing count with ResponseDecodeError naming that field`, () => {
    fc.assert(
      fc.property(validBody, fc.constantFrom(...FIELDS), fc.option(badCount, { nil: undefined }), extras, (body, field, bad, extra) => {
        const known = [['result', 0], ...FIELDS.filter((f) => f !== field || bad !== undefined).map((f) => [f, f === field ? bad : body[f]] as const)] as const;
        const text = objectText([...known, ...extra]);
        const thrown = thrownBy(() => decodeResponse(SaveZipProgressBody, text, CTX));
        expect(thrown).toBeInstanceOf(ResponseDecodeError);
        expect((thrown as ResponseDecodeError).paths).toEqual([field]);
      }),
      seedOptions(),
    );
  });

  it(`property (${NUM_RUNS} runs): turns a well-formed error body into PCloudApiError with its code, scrubbed of the token`, () => {
    fc.assert(
      fc.property(fc.integer().filter((n) => n !== 0), fc.string(), extras, (code, text, extra) => {
        const body = objectText([['result', code], ['error', `${text} auth=${CTX.secrets[0]!}`], ...extra]);
        const thrown = thrownBy(() => decodeResponse(SaveZipProgressBody, body, CTX));
        expect(thrown).toBeInstanceOf(PCloudApiError);
        expect(thrown).toMatchObject({ code });
        expect((thrown as Error).message).not.toContain(CTX.secrets[0]);
      }),
      seedOptions(),
    );
  });

  it(`property (${NUM_RUNS} runs): any JSON value or any string decodes as the reference says, never a raw exception`, () => {
    const anyJson = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value) ?? ''),
      fc.record({ result: fc.oneof(fc.constant(0), fc.integer(), fc.double(), fc.string(), fc.constant(null)) }, { requiredKeys: [] }).chain((head) =>
        fc.dictionary(fc.constantFrom(...FIELDS, 'error', 'x'), fc.oneof(count, badCount, fc.string())).map((rest) => JSON.stringify({ ...head, ...rest })),
      ),
      fc.string(),
      fc.string({ unit: 'binary' }),
    );
    fc.assert(fc.property(anyJson, decodesAsSpecified), seedOptions());
  });
});

// ---------------------------------------------------------------------------------------------
// (b) the stream against a reference model, in virtual time
// ---------------------------------------------------------------------------------------------

type RetryAfter = { readonly seconds: number } | { readonly dateInSeconds: number };
type ServerAnswer =
  | { readonly kind: 'progress'; readonly counts: Counts }
  | { readonly kind: 'api'; readonly code: number }
  | { readonly kind: 'http'; readonly status: number; readonly retryAfter?: RetryAfter }
  | { readonly kind: 'network' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'bad'; readonly body: string };

/** What the server answers once the generated sequence is used up: a finished job. */
const FINAL: ServerAnswer = { kind: 'progress', counts: [5, 5, 50, 50] };
const REQUEST_TIMEOUT = 1000;

const TRANSIENT_API = [5000, 5002, 4010, 4000];
const FATAL_API = [1000, 2000, 2094, 7777];
const TRANSIENT_HTTP = [408, 429, 500, 502, 503, 504];
const FATAL_HTTP = [400, 401, 403, 404];

const progressAnswer = fc
  .oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }).chain((total) => fc.tuple(fc.integer({ min: 0, max: total - 1 }), fc.constant(total))) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 4 })) },
  )
  .chain(([files, totalfiles]) => fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([bytes, totalbytes]): ServerAnswer => ({ kind: 'progress', counts: [files, totalfiles, bytes, totalbytes] })));

const retryAfter: fc.Arbitrary<RetryAfter | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 0, max: 3 }).map((seconds) => ({ seconds })),
  fc.integer({ min: 0, max: 3 }).map((dateInSeconds) => ({ dateInSeconds })),
);

const answer: fc.Arbitrary<ServerAnswer> = fc.oneof(
  { weight: 10, arbitrary: progressAnswer },
  { weight: 4, arbitrary: fc.constantFrom(...TRANSIENT_API).map((code): ServerAnswer => ({ kind: 'api', code })) },
  { weight: 1, arbitrary: fc.constantFrom(...FATAL_API).map((code): ServerAnswer => ({ kind: 'api', code })) },
  { weight: 2, arbitrary: fc.constant<ServerAnswer>({ kind: 'api', code: 1901 }) },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom(...TRANSIENT_HTTP), retryAfter).map(([status, ra]): ServerAnswer => (ra === undefined ? { kind: 'http', status } : { kind: 'http', status, retryAfter: ra })),
  },
  { weight: 1, arbitrary: fc.constantFrom(...FATAL_HTTP).map((status): ServerAnswer => ({ kind: 'http', status })) },
  { weight: 2, arbitrary: fc.constant<ServerAnswer>({ kind: 'network' }) },
  { weight: 1, arbitrary: fc.constant<ServerAnswer>({ kind: 'hang' }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('', 'not json', '[]', 'null', '{"result":0}', '{"result":"0"}', '{"result":5000}', '{"result":0,"files":-1,"totalfiles":1,"bytes":0,"totalbytes":0}', '{"result":0,"files":1.5,"totalfiles":2,"bytes":0,"totalbytes":0}')
      .map((body): ServerAnswer => ({ kind: 'bad', body })),
  },
);

const schedule = fc.record({
  initialDelay: fc.integer({ min: 1, max: 200 }),
  extra: fc.integer({ min: 0, max: 2000 }),
  factor: fc.double({ min: 1, max: 3, noNaN: true }),
  jitter: fc.constantFrom('none' as const, 'equal' as const, 'full' as const),
  seed: fc.integer(),
});

type ModelEnd = { readonly kind: 'complete' } | { readonly kind: 'error'; readonly cause: ServerAnswer };

/** The reference model: what zipProgress$ must do with these answers. Independent of lib/. */
function model(answers: readonly ServerAnswer[], maxRetries: number): { emits: Counts[]; end: ModelEnd; requests: number } {
  const emits: Counts[] = [];
  let failures = 0;
  for (let i = 0; ; i += 1) {
    const a = answers[i] ?? FINAL;
    const requests = i + 1;
    const transient = (a.kind === 'api' && TRANSIENT_API.includes(a.code)) || (a.kind === 'http' && TRANSIENT_HTTP.includes(a.status)) || a.kind === 'network' || a.kind === 'hang';
    if (a.kind === 'progress') {
      failures = 0;
      const last = emits.at(-1);
      if (last === undefined || last.some((v, k) => v !== a.counts[k])) {
        emits.push(a.counts);
        if (a.counts[0] >= a.counts[1]) return { emits, end: { kind: 'complete' }, requests };
      }
    } else if (a.kind === 'api' && a.code === 1901 && emits.length === 0) {
      // Not registered yet (notFoundGrace is infinite here): no news, not a failure; the server
      // answered, so a streak of failures is broken.
      failures = 0;
    } else if (transient) {
      failures += 1;
      if (failures > maxRetries) return { emits, end: { kind: 'error', cause: a }, requests };
    } else {
      return { emits, end: { kind: 'error', cause: a }, requests };
    }
  }
}

/** The error the library must end with for a model's final answer. */
function expectedError(cause: ServerAnswer): { cls: unknown; match: Record<string, unknown> } {
  switch (cause.kind) {
    case 'api':
      return { cls: PCloudApiError, match: { code: cause.code } };
    case 'http':
      return { cls: TransportError, match: { kind: 'http', status: cause.status } };
    case 'network':
      return { cls: TransportError, match: { kind: 'network' } };
    case 'hang':
      return { cls: TransportError, match: { kind: 'timeout' } };
    case 'bad':
      return { cls: ResponseDecodeError, match: {} };
    case 'progress':
      throw new Error('a progress answer is not an error');
  }
}

interface Exchange {
  readonly answer: ServerAnswer;
  readonly sentAt: number;
  answeredAt: number;
  /** The wait the server asked for (Retry-After), in ms from the answer. */
  retryAfterMs: number | undefined;
}

/** A fetch answering from `answers` (then FINAL), recording when each request was sent and answered. */
function stubFetch(answers: readonly ServerAnswer[]): { fetch: typeof globalThis.fetch; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const a = answers[exchanges.length] ?? FINAL;
    const now = Date.now();
    const exchange: Exchange = { answer: a, sentAt: now, answeredAt: now, retryAfterMs: undefined };
    exchanges.push(exchange);
    const json = (body: unknown): Response => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    switch (a.kind) {
      case 'progress': {
        const [files, totalfiles, bytes, totalbytes] = a.counts;
        return Promise.resolve(json({ result: 0, files, totalfiles, bytes, totalbytes, extra: 'ignored' }));
      }
      case 'api':
        return Promise.resolve(json({ result: a.code, error: `error ${a.code}` }));
      case 'http': {
        const headers: Record<string, string> = { 'content-type': 'text/html' };
        if (a.retryAfter !== undefined) {
          if ('seconds' in a.retryAfter) {
            headers['retry-after'] = String(a.retryAfter.seconds);
            exchange.retryAfterMs = a.retryAfter.seconds * 1000;
          } else {
            headers['retry-after'] = new Date(now + a.retryAfter.dateInSeconds * 1000).toUTCString();
            exchange.retryAfterMs = Math.max(0, Date.parse(headers['retry-after']) - now);
          }
        }
        return Promise.resolve(new Response('<html>busy</html>', { status: a.status, headers }));
      }
      case 'network':
        return Promise.reject(new TypeError('fetch failed'));
      case 'hang': {
        const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
        return new Promise<Response>((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            exchange.answeredAt = Date.now();
            reject(signal.reason as Error);
          });
        });
      }
      case 'bad':
        return Promise.resolve(new Response(a.body, { headers: { 'content-type': 'application/json' } }));
    }
  };
  return { fetch, exchanges };
}

describe('property (b): the stream against a reference model, in virtual time', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it(`property (${NUM_RUNS} runs): emits only changes, ends exactly once and only as the model says, waits within bounds, leaves no timer`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { maxLength: 25 }), fc.integer({ min: 0, max: 4 }), schedule, async (answers, maxRetries, s) => {
        const initialDelay = s.initialDelay;
        const maxDelay = s.initialDelay + s.extra;
        const { fetch, exchanges } = stubFetch(answers);
        const events: ({ type: 'next'; value: ZipProgress } | { type: 'complete' } | { type: 'error'; error: unknown })[] = [];
        const subscription = zipProgress$({
          progresshash: 'h',
          auth: 'prop-token',
          fetch,
          maxRetries,
          requestTimeout: REQUEST_TIMEOUT,
          notFoundGrace: Infinity,
          stallTimeout: Infinity,
          backoff: { initialDelay, maxDelay, factor: s.factor, jitter: s.jitter, random: seededRandom(s.seed) },
        }).subscribe({
          next: (value) => events.push({ type: 'next', value }),
          complete: () => events.push({ type: 'complete' }),
          error: (error: unknown) => events.push({ type: 'error', error }),
        });
        const ended = (): boolean => events.some((e) => e.type !== 'next');
        for (let step = 0; step < 200 && !ended(); step += 1) await jest.advanceTimersByTimeAsync(5_000);
        expect(ended()).toBe(true);
        // A finished stream holds no timer; nothing more happens however long we wait.
        expect(jest.getTimerCount()).toBe(0);
        const requestsAtEnd = exchanges.length;
        const eventsAtEnd = events.length;
        await jest.advanceTimersByTimeAsync(60_000);
        expect(exchanges.length).toBe(requestsAtEnd);
        expect(events.length).toBe(eventsAtEnd);
        subscription.unsubscribe();

        // Exactly one end, last; emissions only before it.
        const ends = events.filter((e) => e.type !== 'next');
        expect(ends).toHaveLength(1);
        expect(events.at(-1)).toBe(ends[0]);
        const values = events.flatMap((e) => (e.type === 'next' ? [e.value] : []));
        const counts = values.map((v): Counts => [v.files, v.totalfiles, v.bytes, v.totalbytes]);
        // Only changes: no two consecutive emissions with the same counters.
        for (let i = 1; i < counts.length; i += 1) expect(counts[i]).not.toEqual(counts[i - 1]);
        // Done only at the end, and `done` means files >= totalfiles.
        for (const v of values) expect(v.done).toBe(v.files >= v.totalfiles);
        expect(values.slice(0, -1).some((v) => v.done)).toBe(false);
        const end = ends[0]!;
        if (end.type === 'complete') expect(values.at(-1)?.done).toBe(true);

        // Exactly what the model says.
        const expected = model(answers, maxRetries);
        expect(counts).toEqual(expected.emits);
        expect(exchanges.length).toBe(expected.requests);
        if (expected.end.kind === 'complete') {
          expect(end.type).toBe('complete');
        } else {
          expect(end.type).toBe('error');
          const { cls, match } = expectedError(expected.end.cause);
          const error = end.type === 'error' ? end.error : undefined;
          expect(error).toBeInstanceOf(cls as new () => Error);
          expect(error).toMatchObject(match);
        }

        // Every wait within [initialDelay, maxDelay], or what the server asked for; pCloud's rate
        // limiting (4xxx) waits maxDelay doubled per failure in a row.
        let failuresInARow = 0;
        for (let i = 1; i < exchanges.length; i += 1) {
          const prev = exchanges[i - 1]!;
          const waited = exchanges[i]!.sentAt - prev.answeredAt;
          // A progress answer or a pending 1901 (the only kind that does not end the stream) breaks the streak.
          failuresInARow = prev.answer.kind === 'progress' || (prev.answer.kind === 'api' && prev.answer.code === 1901) ? 0 : failuresInARow + 1;
          if (prev.answer.kind === 'api' && prev.answer.code >= 4000 && prev.answer.code <= 4999) {
            expect({ i, waited }).toEqual({ i, waited: maxDelay * 2 ** (failuresInARow - 1) });
            continue;
          }
          const inBounds = waited >= initialDelay && waited <= maxDelay;
          if (prev.retryAfterMs !== undefined) {
            expect(waited).toBeGreaterThanOrEqual(prev.retryAfterMs);
            expect(inBounds || waited === prev.retryAfterMs).toBe(true);
          } else {
            expect({ i, waited, inBounds }).toEqual({ i, waited, inBounds: true });
          }
          // HTTP 429 without a hint waits the schedule's longest wait.
          const rateLimited = prev.answer.kind === 'http' && prev.answer.status === 429 && prev.retryAfterMs === undefined;
          if (rateLimited) expect(waited).toBe(maxDelay);
        }
      }),
      seedOptions(),
    );
  }, 120_000);
});
