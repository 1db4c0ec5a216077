import { zipProgress$, type ZipProgressOptions } from '../../lib/index.js';
import { RATE_LIMIT_MAX_WAIT, rateLimitWait } from '../../lib/zip-progress/rate-limit-wait.js';
import { collect } from '../support/collect.js';

/**
 * pCloud's rate limiting, 4000 "Too many login tries" included, in virtual time: api.txt files
 * every 4xxx under "retry the request at a later stage", so it is waited out with a long wait that
 * doubles with each failure in a row, within maxRetries and the overall timeout. (Until this
 * version 4000 failed the stream at once.)
 */
describe('rate limiting (4xxx, 4000 included) is waited out (fake timers)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const LOCKED = { result: 4000, error: 'Too many login tries from this IP address.' };
  const done = { result: 0, files: 3, totalfiles: 3, bytes: 30, totalbytes: 30 };
  /** Answers from a list (the last one repeats), recording when each request was sent. */
  function stubFetch(replies: object[]) {
    const times: number[] = [];
    const fetch = (): Promise<Response> => {
      times.push(Date.now());
      const reply = replies[Math.min(times.length - 1, replies.length - 1)]!;
      return Promise.resolve(new Response(JSON.stringify(reply), { headers: { 'content-type': 'application/json' } }));
    };
    return { fetch, times };
  }
  const options = (fetch: typeof globalThis.fetch, extra: Partial<ZipProgressOptions> = {}): ZipProgressOptions => ({
    progresshash: 'h',
    auth: 'rate-limit-spec-token',
    fetch,
    backoff: { initialDelay: 100, maxDelay: 2000, jitter: 'none' },
    ...extra,
  });

  it('retries 4000 after the schedule\u2019s longest wait, doubled each time, and goes on when it lifts', async () => {
    const { fetch, times } = stubFetch([LOCKED, LOCKED, LOCKED, done]);
    const outcome = collect(zipProgress$(options(fetch)));
    await jest.advanceTimersByTimeAsync(60_000);
    const { completed, values } = await outcome;
    expect(completed).toBe(true);
    expect(values.at(-1)).toMatchObject({ done: true });
    // waits 2000, 4000, 8000
    expect(times).toEqual([0, 2000, 6000, 14_000]);
  });

  it('after maxRetries the error names 4000 and says the zip may still finish in pCloud', async () => {
    const { fetch, times } = stubFetch([LOCKED]);
    const outcome = collect(zipProgress$(options(fetch, { maxRetries: 3 })));
    await jest.advanceTimersByTimeAsync(60_000);
    const { error } = await outcome;
    expect(times).toEqual([0, 2000, 6000, 14_000]);
    expect(error).toMatchObject({ name: 'PCloudApiError', code: 4000, method: 'savezipprogress', transient: true });
    expect((error as Error).message).toMatch(/^pCloud savezipprogress failed with 4000: Too many login tries from this IP address\. .*\(4000\).*the zip may still finish in pCloud/);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('the overall timeout still ends a long wait', async () => {
    const { fetch, times } = stubFetch([LOCKED]);
    const outcome = collect(zipProgress$(options(fetch, { timeout: 5000, maxRetries: 10 })));
    await jest.advanceTimersByTimeAsync(60_000);
    const { error } = await outcome;
    expect(error).toMatchObject({ name: 'ProgressTimeoutError', reason: 'deadline', timeoutMs: 5000 });
    expect(times).toEqual([0, 2000]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('any 4xxx is waited out the same way; a success in between starts the doubling again', async () => {
    const progress = (files: number) => ({ result: 0, files, totalfiles: 3, bytes: files, totalbytes: 3 });
    const { fetch, times } = stubFetch([{ result: 4010, error: 'x' }, { result: 4010, error: 'x' }, progress(1), { result: 4000, error: 'x' }, done]);
    const outcome = collect(zipProgress$(options(fetch)));
    await jest.advanceTimersByTimeAsync(60_000);
    expect((await outcome).completed).toBe(true);
    // 2000, 4000, then 100 after the change, then 2000 again (the streak was broken)
    expect(times).toEqual([0, 2000, 6000, 6100, 8100]);
  });

  it('with the default schedule: 4.7 s doubling to 75 s over the 5 default retries, never past 10 minutes', () => {
    expect([1, 2, 3, 4, 5].map((n) => rateLimitWait(4700, n))).toEqual([4700, 9400, 18_800, 37_600, 75_200]);
    expect(rateLimitWait(4700, 40)).toBe(RATE_LIMIT_MAX_WAIT);
    expect(RATE_LIMIT_MAX_WAIT).toBe(600_000);
  });
});
