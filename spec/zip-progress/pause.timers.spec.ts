import { BehaviorSubject } from 'rxjs';
import { zipProgress$, type ZipProgressOptions } from '../../lib/index.js';
import { collect } from '../support/collect.js';

/**
 * `paused` in zipProgress$, in virtual time (jest's fake timers drive rxjs's asyncScheduler; a
 * fetch stub answers at once): the stall clock stops while paused, the overall deadline does not,
 * and a request timeout applies only to a request in flight.
 */
describe('zipProgress$ paused (fake timers)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const progress = (files: number, totalfiles = 10): object => ({ result: 0, files, totalfiles, bytes: files * 100, totalbytes: totalfiles * 100 });

  /** A fetch that answers from `replies` (the last repeats; `'hang'` never answers unless aborted). */
  function stubFetch(replies: (object | 'hang')[]): { fetch: typeof globalThis.fetch; times: number[] } {
    const times: number[] = [];
    const fetch = (_input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      times.push(Date.now());
      const reply = replies[Math.min(times.length - 1, replies.length - 1)]!;
      if (reply === 'hang') {
        return new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => {
            reject(new DOMException('aborted', 'AbortError'));
          });
        });
      }
      return Promise.resolve(new Response(JSON.stringify(reply), { headers: { 'content-type': 'application/json' } }));
    };
    return { fetch: fetch, times };
  }

  function at(ms: number, act: () => void): void {
    setTimeout(act, ms);
  }

  const base = (fetch: typeof globalThis.fetch, extra: Partial<ZipProgressOptions>): ZipProgressOptions => ({
    progresshash: 'h',
    auth: 't',
    fetch,
    backoff: { initialDelay: 200, maxDelay: 200, jitter: 'none' },
    ...extra,
  });

  it('stops the stall clock while paused: the silence before the pause and after the resume add up', async () => {
    const { fetch, times } = stubFetch([progress(1)]);
    const paused = new BehaviorSubject(false);
    at(300, () => {
      paused.next(true);
    });
    at(5300, () => {
      paused.next(false);
    });
    let failedAt: number | undefined;
    const outcome = collect(zipProgress$(base(fetch, { stallTimeout: 1000, paused })));
    void outcome.then(() => (failedAt = Date.now()));
    await jest.advanceTimersByTimeAsync(10_000);
    const result = await outcome;
    // Unchanged since 0: 300 ms counted before the pause, the other 700 after the resume at 5300.
    expect(result.error).toMatchObject({ name: 'ProgressTimeoutError', reason: 'stall', timeoutMs: 1000 });
    expect(failedAt).toBe(6000);
    expect(times).toEqual([0, 200, 5300, 5500, 5700, 5900]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a change answered while paused restarts the silence at the resume', async () => {
    const slowFirst: object[] = [progress(1), progress(2)];
    const { fetch, times } = stubFetch(slowFirst);
    const paused = new BehaviorSubject(false);
    at(250, () => {
      paused.next(true);
    });
    at(3000, () => {
      paused.next(false);
    });
    let failedAt: number | undefined;
    const outcome = collect(zipProgress$(base(fetch, { stallTimeout: 1000, paused })));
    void outcome.then(() => (failedAt = Date.now()));
    await jest.advanceTimersByTimeAsync(10_000);
    expect((await outcome).error).toMatchObject({ reason: 'stall', lastProgress: { files: 2 } });
    // The change came at 200, before the pause at 250: 50 ms counted, 950 after the resume.
    expect(failedAt).toBe(3950);
    expect(times.slice(0, 3)).toEqual([0, 200, 3000]);
  });

  it('keeps the overall deadline running while paused', async () => {
    const { fetch, times } = stubFetch([progress(1)]);
    const paused = new BehaviorSubject(false);
    at(300, () => {
      paused.next(true);
    });
    const outcome = collect(zipProgress$(base(fetch, { timeout: 1000, stallTimeout: 500, paused })));
    await jest.advanceTimersByTimeAsync(5000);
    // The stall (500 ms) would have fired at 500 without the pause; the deadline fires at 1000.
    expect((await outcome).error).toMatchObject({ name: 'ProgressTimeoutError', reason: 'deadline', timeoutMs: 1000, lastProgress: { files: 1 } });
    expect(times).toEqual([0, 200]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('applies requestTimeout to the request in flight at the pause, and retries it only after the resume', async () => {
    const { fetch, times } = stubFetch(['hang', progress(10)]);
    const paused = new BehaviorSubject(false);
    at(100, () => {
      paused.next(true);
    });
    at(2000, () => {
      paused.next(false);
    });
    const outcome = collect(zipProgress$(base(fetch, { requestTimeout: 500, paused })));
    await jest.advanceTimersByTimeAsync(5000);
    // Timed out at 500 (a retryable failure), no retry while paused, retried at the resume.
    expect((await outcome).completed).toBe(true);
    expect(times).toEqual([0, 2000]);
  });

  it('sends nothing for as long as it stays paused: no request timeout, no stall', async () => {
    const { fetch, times } = stubFetch([progress(1)]);
    const paused = new BehaviorSubject(true);
    const subscription = zipProgress$(base(fetch, { requestTimeout: 500, stallTimeout: 1000, paused })).subscribe({
      error: () => {
        throw new Error('no error expected while paused');
      },
    });
    await jest.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(times).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
    paused.next(false);
    await jest.advanceTimersByTimeAsync(0);
    expect(times).toEqual([24 * 3_600_000]);
    subscription.unsubscribe();
    expect(paused.observed).toBe(false);
  });

  it('refuses a paused option that is not an Observable', () => {
    expect(() => zipProgress$({ progresshash: 'h', paused: true as never })).toThrow(new TypeError('paused must be an Observable<boolean>, got boolean'));
  });
});
