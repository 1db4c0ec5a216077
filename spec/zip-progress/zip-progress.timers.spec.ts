import { firstValueFrom } from 'rxjs';
import { type ZipProgress, zipProgress$, type ZipProgressOptions } from '../../lib/index.js';
import { collect, type Outcome } from '../support/collect.js';

/**
 * Schedules in virtual time: jest's fake timers drive rxjs's asyncScheduler, and a `fetch`
 * stub answers at once, so every request time below is exact.
 */
describe('zipProgress$ schedule (fake timers)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  type Reply = object | { status: number; headers?: Record<string, string>; text?: string };
  /** A fetch that replies from a list (the last one repeats) and records request times. */
  function stubFetch(replies: Reply[]) {
    const times: number[] = [];
    const fetch = (): Promise<Response> => {
      times.push(Date.now());
      const reply = replies[Math.min(times.length - 1, replies.length - 1)]!;
      if ('status' in reply && typeof reply.status === 'number') {
        const r = reply;
        return Promise.resolve(new Response(r.text ?? '', { status: r.status, headers: r.headers }));
      }
      return Promise.resolve(new Response(JSON.stringify(reply), { headers: { 'content-type': 'application/json' } }));
    };
    return { fetch, times };
  }
  const progress = (files: number, totalfiles = 10) => ({ result: 0, files, totalfiles, bytes: files * 100, totalbytes: totalfiles * 100 });

  async function run(options: Partial<ZipProgressOptions>, advanceMs: number): Promise<Outcome<ZipProgress>> {
    const outcome = collect(zipProgress$({ progresshash: 'h', auth: 't', apiUrl: 'https://api.pcloud.com', ...options }));
    await jest.advanceTimersByTimeAsync(advanceMs);
    return outcome;
  }

  it('grows the wait geometrically while nothing changes and resets it on a change', async () => {
    const { fetch, times } = stubFetch([progress(1), progress(1), progress(1), progress(2), progress(2), progress(10)]);
    const outcome = await run({ fetch, backoff: { initialDelay: 100, maxDelay: 1000, factor: 2, jitter: 'none' } }, 10_000);
    expect(outcome.completed).toBe(true);
    // waits: 100 (after change), 200, 400 (unchanged x2), 100 (after change), 200
    expect(times).toEqual([0, 100, 300, 700, 800, 1000]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('draws jitter from the injected random source, deterministically', async () => {
    const a = stubFetch([progress(1), progress(1), progress(1), progress(10)]);
    await run({ fetch: a.fetch, backoff: { initialDelay: 100, maxDelay: 1000, factor: 2, jitter: 'full', random: () => 0.5 } }, 10_000);
    // nominal 100, 200, 400 -> full jitter between 100 and nominal at 0.5: 100, 150, 250
    expect(a.times).toEqual([0, 100, 250, 500]);
  });

  it('passes the poll state to a custom backoff function', async () => {
    const { fetch } = stubFetch([{ result: 5000, error: 'Internal error' }, progress(1), progress(1), progress(10)]);
    const seen: [number, number, number, boolean][] = [];
    await run(
      {
        fetch,
        backoff: (ctx) => {
          seen.push([ctx.polls, ctx.unchangedPolls, ctx.failures, ctx.lastProgress !== undefined]);
          return 50;
        },
      },
      1000,
    );
    expect(seen).toEqual([
      [1, 0, 1, false],
      [2, 0, 0, true],
      [3, 1, 0, true],
    ]);
  });

  it('waits at least maxDelay after a 4010 rate limit, and honours a Retry-After HTTP date', async () => {
    const limited = stubFetch([{ result: 4010, error: 'Too many requests' }, progress(10)]);
    await run({ fetch: limited.fetch, backoff: { initialDelay: 100, maxDelay: 2000, jitter: 'none' } }, 10_000);
    expect(limited.times).toEqual([0, 2000]);

    const dated = stubFetch([{ status: 503, headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } }, progress(10)]);
    const start = Date.now();
    await run({ fetch: dated.fetch, backoff: { initialDelay: 100, maxDelay: 2000, jitter: 'none' } }, 60_000);
    // HTTP dates have whole seconds: the wait is 29..30 s, far above maxDelay.
    expect(dated.times[1]! - start).toBeGreaterThan(29_000);
    expect(dated.times[1]! - start).toBeLessThanOrEqual(30_000);
  });

  it('fails at the deadline without sending another request, leaving no timer behind', async () => {
    const { fetch, times } = stubFetch([progress(1)]);
    const outcome = await run({ fetch, timeout: 1000, backoff: { initialDelay: 300, maxDelay: 300 } }, 5000);
    expect(outcome.error).toMatchObject({ name: 'ProgressTimeoutError', reason: 'deadline', timeoutMs: 1000, lastProgress: { files: 1 } });
    expect(times).toEqual([0, 300, 600, 900]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('measures a stall from the last change, not from the last answer', async () => {
    const { fetch, times } = stubFetch([progress(1), progress(1), progress(2), progress(2)]);
    const outcome = await run({ fetch, stallTimeout: 1000, backoff: { initialDelay: 200, maxDelay: 200 } }, 5000);
    // change at 400, then nothing new: gives up at 1400, after the poll at 1200 (a stall timed
    // from the first answer would end it after the poll at 800).
    expect(outcome.error).toMatchObject({ reason: 'stall', lastProgress: { files: 2 } });
    expect(times).toEqual([0, 200, 400, 600, 800, 1000, 1200]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('leaves no timer when the consumer unsubscribes inside next (firstValueFrom, take(1))', async () => {
    const { fetch, times } = stubFetch([progress(1)]);
    const first = firstValueFrom(zipProgress$({ progresshash: 'h', auth: 't', fetch, timeout: 60_000, stallTimeout: 60_000 }));
    await jest.advanceTimersByTimeAsync(0);
    await expect(first).resolves.toMatchObject({ files: 1 });
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(times).toEqual([0]);
  });

  it('stops polling and clears its timers on unsubscribe during a wait', async () => {
    const { fetch, times } = stubFetch([progress(1)]);
    const subscription = zipProgress$({ progresshash: 'h', auth: 't', fetch, backoff: { initialDelay: 1000, maxDelay: 1000 } }).subscribe();
    await jest.advanceTimersByTimeAsync(1500);
    subscription.unsubscribe();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(times).toEqual([0, 1000]);
  });
});
