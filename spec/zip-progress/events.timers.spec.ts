import { BehaviorSubject, take } from 'rxjs';
import { PCloudApiError, TransportError, zipProgress$, zipProgressEvents$, type ZipProgressEvent, type ZipProgressOptions } from '../../lib/index.js';
import { collect } from '../support/collect.js';

/**
 * zipProgressEvents$ in virtual time (fake timers, a stubbed fetch): each kind of wait is told as
 * it starts, with the wait that follows, and the progress resumes after it. Each event is
 * recorded with the virtual time it came at, next to the times requests were sent: a retry told
 * at t with `delayMs` d is followed by a request at t + d.
 */
describe('zipProgressEvents$: the waits, as events (fake timers)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const TOKEN = 'events-spec-secret-token';
  const done = { result: 0, files: 3, totalfiles: 3, bytes: 30, totalbytes: 30 };
  const progress = (files: number): object => ({ result: 0, files, totalfiles: 3, bytes: files * 10, totalbytes: 30 });
  /** A dropped connection (fetch rejects, its text holding the token as a careless runtime might). */
  const DROP = 'drop';
  type Reply = object | typeof DROP | { status: number; headers?: Record<string, string> };

  /** Answers from `replies` (the last repeats), recording when each request was sent. */
  function stubFetch(replies: Reply[]): { fetch: typeof globalThis.fetch; times: number[] } {
    const times: number[] = [];
    const fetch = (): Promise<Response> => {
      times.push(Date.now());
      const reply = replies[Math.min(times.length - 1, replies.length - 1)]!;
      if (reply === DROP) return Promise.reject(new TypeError(`fetch failed: socket hang up (https://api.example/savezipprogress?auth=${TOKEN})`));
      if ('status' in reply) return Promise.resolve(new Response(`<h1>upstream down</h1> auth=${TOKEN}`, { status: reply.status, headers: reply.headers }));
      return Promise.resolve(new Response(JSON.stringify(reply), { headers: { 'content-type': 'application/json' } }));
    };
    return { fetch, times };
  }
  const options = (fetch: typeof globalThis.fetch, extra: Partial<ZipProgressOptions> = {}): ZipProgressOptions => ({
    progresshash: 'h',
    auth: TOKEN,
    fetch,
    backoff: { initialDelay: 100, maxDelay: 2000, jitter: 'none' },
    ...extra,
  });

  /** Every retrying or waiting event is followed by a request exactly `delayMs` later. */
  function expectWaitsKept(events: { at: number; event: ZipProgressEvent }[], times: number[]): void {
    for (const { at, event } of events) {
      if (event.type !== 'retrying' && event.type !== 'waiting') continue;
      expect(times).toContain(at + event.delayMs);
    }
  }

  /** Subscribes and records each event with its virtual time. */
  function record(fetch: typeof globalThis.fetch, extra: Partial<ZipProgressOptions> = {}) {
    const events: { at: number; event: ZipProgressEvent }[] = [];
    const ended: { completed: boolean; error: unknown } = { completed: false, error: undefined };
    const subscription = zipProgressEvents$(options(fetch, extra)).subscribe({
      next: (event) => events.push({ at: Date.now(), event }),
      error: (error: unknown) => (ended.error = error),
      complete: () => (ended.completed = true),
    });
    return { events, ended, subscription };
  }

  it('5xxx: retrying with the PCloudApiError, attempt 1, 2 and the backoff, then progress resumes', async () => {
    const { fetch, times } = stubFetch([{ result: 5000, error: 'Internal error. Try again later.' }, { result: 5000, error: 'Internal error.' }, done]);
    const { events, ended } = record(fetch);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(ended.completed).toBe(true);
    expect(events.map((e) => e.event.type)).toEqual(['retrying', 'retrying', 'progress']);
    const [first, second] = events.map((e) => e.event);
    expect(first).toMatchObject({ type: 'retrying', attempt: 1, error: { name: 'PCloudApiError', code: 5000, transient: true } });
    expect(second).toMatchObject({ type: 'retrying', attempt: 2 });
    expect(first?.type === 'retrying' && first.error).toBeInstanceOf(PCloudApiError);
    expect(events[0]!.at).toBe(0);
    expectWaitsKept(events, times);
    expect(times).toHaveLength(3);
  });

  it('after a retry, the first answer emits progress again even when nothing changed (a UI leaves "Reconnecting…"), once, read now', async () => {
    const replies = [progress(1), progress(2), { status: 503 }, progress(2), progress(2), done];
    const { fetch } = stubFetch(replies);
    const { events, ended } = record(fetch);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(ended.completed).toBe(true);
    expect(events.map((e) => e.event.type)).toEqual(['progress', 'progress', 'retrying', 'progress', 'progress']);
    const [, before, , again] = events.map((e) => (e.event.type === 'progress' ? e.event.progress : undefined));
    // The same counts, nothing invented...
    expect(again).toMatchObject({ files: 2, totalfiles: 3, bytes: 20, totalbytes: 30, fraction: before!.fraction, done: false });
    // ...but read when that answer came: the wait counts in the elapsed time, the average rate and
    // the time left (not the ETA of before the wait, which would be stale by the whole wait).
    expect(again!.elapsedMs).toBe(events[3]!.at);
    expect(again!.elapsedMs).toBeGreaterThan(before!.elapsedMs);
    expect(again!.bytesPerSecond).toBeCloseTo((10 / again!.elapsedMs) * 1000);
    expect(again!.bytesPerSecond).toBeLessThan(before!.bytesPerSecond!);
    expect(again!.etaMs).toBeCloseTo((10 / again!.bytesPerSecond!) * 1000);
    expect(again!.etaMs).toBeGreaterThan(before!.etaMs!);
    expect(events[4]!.event).toMatchObject({ type: 'progress', progress: { files: 3, done: true } });
    // zipProgress$ keeps its contract: a snapshot only when the progress changes.
    const plain = collect(zipProgress$(options(stubFetch(replies).fetch)));
    await jest.advanceTimersByTimeAsync(60_000);
    expect((await plain).values.map((p) => p.files)).toEqual([1, 2, 3]);
  });

  it('a dropped connection: retrying with a TransportError (network) scrubbed of the token', async () => {
    const { fetch, times } = stubFetch([DROP, done]);
    const { events, ended } = record(fetch);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(ended.completed).toBe(true);
    const retrying = events[0]!.event;
    expect(retrying).toMatchObject({ type: 'retrying', attempt: 1, error: { name: 'TransportError', kind: 'network', transient: true } });
    expect(retrying.type === 'retrying' && retrying.error).toBeInstanceOf(TransportError);
    expect(retrying.type === 'retrying' && retrying.delayMs).toBeGreaterThan(0);
    expect(retrying.type === 'retrying' && retrying.error.message).not.toContain(TOKEN);
    expectWaitsKept(events, times);
  });

  it('HTTP 503 with Retry-After: retrying with the status, and delayMs is the Retry-After wait', async () => {
    const { fetch, times } = stubFetch([{ status: 503, headers: { 'Retry-After': '7' } }, done]);
    const { events, ended } = record(fetch);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(ended.completed).toBe(true);
    const { error, ...rest } = events[0]!.event as Extract<ZipProgressEvent, { type: 'retrying' }>;
    expect([events[0]!.at, rest]).toEqual([0, { type: 'retrying', attempt: 1, maxRetries: 5, delayMs: 7000 }]);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ kind: 'http', status: 503, retryAfterMs: 7000 });
    // No raw server text (the proxy's page, the token in it) in the event.
    expect(error.message).not.toContain('upstream down');
    expect(error.message).not.toContain(TOKEN);
    expect(times).toEqual([0, 7000]);
  });

  it('4000 rate limiting: retrying for the long, doubling rate-limit wait', async () => {
    const LOCKED = { result: 4000, error: 'Too many login tries from this IP address.' };
    const { fetch, times } = stubFetch([LOCKED, LOCKED, done]);
    const { events, ended } = record(fetch);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(ended.completed).toBe(true);
    expect(events.map((e) => [e.at, e.event.type, 'delayMs' in e.event ? e.event.delayMs : undefined])).toEqual([
      [0, 'retrying', 2000],
      [2000, 'retrying', 4000],
      [6000, 'progress', undefined],
    ]);
    expect(events[1]!.event).toMatchObject({ attempt: 2, error: { name: 'PCloudApiError', code: 4000 } });
    expect(times).toEqual([0, 2000, 6000]);
  });

  it('1901 before registration: waiting (not-registered) with its delay, no error and no attempt', async () => {
    const NOT_YET = { result: 1901, error: 'Zip not found.' };
    const { fetch, times } = stubFetch([NOT_YET, NOT_YET, progress(1), done]);
    const { events, ended } = record(fetch);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(ended.completed).toBe(true);
    expect(events.map((e) => e.event.type)).toEqual(['waiting', 'waiting', 'progress', 'progress']);
    const waiting = events[0]!.event;
    expect(Object.keys(waiting).sort()).toEqual(['delayMs', 'reason', 'type']);
    expect(waiting).toMatchObject({ type: 'waiting', reason: 'not-registered' });
    expectWaitsKept(events, times);
  });

  /** Polls every 200 ms; paused from 250 to 5250 ms; runs to the end. */
  async function pausedFor5s(replies: Reply[]) {
    const paused = new BehaviorSubject(false);
    const { fetch, times } = stubFetch(replies);
    const { events, ended } = record(fetch, { paused, backoff: { initialDelay: 200, maxDelay: 200, jitter: 'none' } });
    await jest.advanceTimersByTimeAsync(250);
    paused.next(true);
    await jest.advanceTimersByTimeAsync(5000);
    paused.next(false);
    await jest.advanceTimersByTimeAsync(5000);
    expect(ended.completed).toBe(true);
    return { events, times };
  }

  it('paused and resumed, when the `paused` option changes; no poll in between', async () => {
    const { events, times } = await pausedFor5s([progress(1), progress(1), progress(2), done]);
    expect(events.map((e) => [e.at, e.event.type])).toEqual([
      [0, 'progress'],
      [250, 'paused'],
      [5250, 'resumed'],
      [5250, 'progress'],
      [5450, 'progress'],
    ]);
    expect(times).toEqual([0, 200, 5250, 5450]);
  });

  it('after a resume, the first answer emits progress even when nothing changed, with its ETA read then', async () => {
    const { events, times } = await pausedFor5s([progress(1), progress(2), progress(2), done]);
    expect(events.map((e) => [e.at, e.event.type])).toEqual([
      [0, 'progress'],
      [200, 'progress'],
      [250, 'paused'],
      [5250, 'resumed'],
      [5250, 'progress'],
      [5450, 'progress'],
    ]);
    expect(times).toEqual([0, 200, 5250, 5450]);
    const [, before, , , after] = events.map((e) => (e.event.type === 'progress' ? e.event.progress : undefined));
    expect(after).toMatchObject({ files: 2, bytes: 20, elapsedMs: 5250 });
    // 10 bytes left at 10 bytes per 5250 ms, not the 200 ms the ETA said before the pause.
    expect(before!.etaMs).toBeCloseTo(200);
    expect(after!.etaMs).toBeCloseTo(5250);
  });

  it('zipProgress$ on the same failures still emits snapshots only', async () => {
    const { fetch } = stubFetch([{ result: 5000, error: 'x' }, { result: 1901, error: 'x' }, done]);
    const outcome = collect(zipProgress$(options(fetch)));
    await jest.advanceTimersByTimeAsync(60_000);
    const { values, completed } = await outcome;
    expect(completed).toBe(true);
    expect(values).toEqual([expect.objectContaining({ done: true })]);
  });

  describe('reliability: nothing after the end, no timer left', () => {
    it('after the failure that ends the stream (no retry left): no event for it, no timer', async () => {
      const { fetch, times } = stubFetch([{ result: 5000, error: 'x' }]);
      const { events, ended } = record(fetch, { maxRetries: 2 });
      await jest.advanceTimersByTimeAsync(60_000);
      expect(ended.error).toMatchObject({ name: 'PCloudApiError', code: 5000 });
      // Two retries told; the third failure ends the stream, with the same kind of error they carried.
      expect(events.map((e) => e.event.type)).toEqual(['retrying', 'retrying']);
      expect(ended.error).toBeInstanceOf(PCloudApiError);
      expect(times).toHaveLength(3);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('after completion: no event, no timer', async () => {
      const { fetch } = stubFetch([DROP, done]);
      const { events, ended } = record(fetch);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(ended.completed).toBe(true);
      const count = events.length;
      await jest.advanceTimersByTimeAsync(60_000);
      expect(events).toHaveLength(count);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('after an unsubscription during a retry wait: no event, no request, no timer', async () => {
      const { fetch, times } = stubFetch([DROP, DROP, done]);
      const { events, subscription } = record(fetch);
      await jest.advanceTimersByTimeAsync(1);
      expect(events.map((e) => e.event.type)).toEqual(['retrying']);
      subscription.unsubscribe();
      await jest.advanceTimersByTimeAsync(60_000);
      expect(events).toHaveLength(1);
      expect(times).toEqual([0]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('a consumer that leaves on the first retrying event (take(1)) leaves no timer', async () => {
      const { fetch, times } = stubFetch([DROP, done]);
      const outcome = collect(zipProgressEvents$(options(fetch)).pipe(take(1)));
      await jest.advanceTimersByTimeAsync(60_000);
      const { values, completed } = await outcome;
      expect(completed).toBe(true);
      expect(values.map((e) => e.type)).toEqual(['retrying']);
      expect(times).toEqual([0]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('after an abort (signal) while paused: no resumed event, no timer', async () => {
      const paused = new BehaviorSubject(true);
      const controller = new AbortController();
      const { fetch, times } = stubFetch([done]);
      const { events, ended } = record(fetch, { paused, signal: controller.signal });
      await jest.advanceTimersByTimeAsync(100);
      controller.abort();
      paused.next(false);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(ended.error).toMatchObject({ name: 'AbortError' });
      expect(events.map((e) => e.event.type)).toEqual(['paused']);
      expect(times).toEqual([]);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
