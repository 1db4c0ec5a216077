import { saveZip$, type SaveZipEvent, type ZipProgress, zipProgress$, type ZipProgressOptions } from '../../lib/index.js';
import { STALL_DEFAULTS } from '../../lib/zip-progress/stall.js';
import { collect, type Outcome } from '../support/collect.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const GB = 1e9;
const MB = 1e6;

/** One file of a simulated pCloud zip: its size and how long pCloud takes to zip it. */
interface File {
  readonly bytes: number;
  readonly ms: number;
}

/**
 * What savezipprogress answers at `t` ms after the job started: pCloud updates its counters once
 * per zipped file. `deadAfter` freezes the job after that many files (the zip died).
 */
function progressAt(files: readonly File[], t: number, deadAfter = Infinity): object {
  let done = 0;
  let bytes = 0;
  let end = 0;
  for (const file of files) {
    end += file.ms;
    if (end > t || done >= deadAfter) break;
    done += 1;
    bytes += file.bytes;
  }
  const totalbytes = files.reduce((sum, f) => sum + f.bytes, 0);
  return { result: 0, files: done, totalfiles: files.length, bytes, totalbytes };
}

type Route = (method: string, t: number) => { body?: object; status?: number; headers?: Record<string, string>; afterMs?: number };

/**
 * A fetch on jest's fake clock that answers from `route` (by method, at the time of the request),
 * after `afterMs`, and rejects when the request is aborted. Records each request's method and time.
 */
function fakeFetch(route: Route): { fetch: typeof globalThis.fetch; requests: [string, number][] } {
  const requests: [string, number][] = [];
  const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const method = new URL(request.url).pathname.split('/').at(-1) ?? '';
    const t = Date.now();
    requests.push([method, t]);
    const answer = route(method, t);
    const response = (): Response =>
      new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), { status: answer.status ?? 200, headers: answer.headers });
    const { afterMs } = answer;
    if (afterMs === undefined) return Promise.resolve(response());
    return new Promise((resolve, reject) => {
      // Infinity: never answers (a hanging server).
      const timer = Number.isFinite(afterMs) ? setTimeout(() => { resolve(response()); }, afterMs) : undefined;
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  };
  return { fetch, requests };
}

/**
 * Long jobs and long durations in virtual time: jest's fake timers (which, like Node, fire at
 * once past 2^31-1 ms) drive rxjs's asyncScheduler, and the clock starts at 0 with the job.
 */
describe('long jobs and long durations (fake timers)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const base = { progresshash: 'h', auth: 't', apiUrl: 'https://api.pcloud.com' } as const;

  interface Watched<T> {
    /** How the stream ended, once it has. */
    outcome?: Outcome<T>;
    /** The fake clock when it ended. */
    endedAt?: number;
  }

  /** Subscribes; the returned object fills in when the stream ends. */
  function observe<T>(source: import('rxjs').Observable<T>): Watched<T> {
    const watched: Watched<T> = {};
    void collect(source).then((outcome) => {
      watched.outcome = outcome;
      watched.endedAt = Date.now();
    });
    return watched;
  }

  /** Subscribes to zipProgress$ and advances the fake clock by `ms`. */
  async function watch(options: Partial<ZipProgressOptions>, ms: number): Promise<Watched<ZipProgress>> {
    const watched = observe(zipProgress$({ ...base, ...options }));
    await jest.advanceTimersByTimeAsync(ms);
    return watched;
  }

  const progressOf = (files: readonly File[], deadAfter?: number): Route => (_method, t) => ({ body: progressAt(files, t, deadAfter) });

  describe('the default stall rule', () => {
    const bigFile: File[] = [{ bytes: 30 * GB, ms: 30 * MIN }];
    const smallThenBig: File[] = [{ bytes: 1 * MB, ms: 2000 }, { bytes: 2 * MB, ms: 2000 }, { bytes: 1 * MB, ms: 2000 }, { bytes: 30 * GB, ms: 30 * MIN }];

    it.each([
      ['one 30 GB file taking 30 min', bigFile],
      ['three small files, then a 30 GB file', smallThenBig],
    ])('lets a live job of %s complete (a fixed 15 min stall limit failed it)', async (_what, files) => {
      const { fetch } = fakeFetch(progressOf(files));
      const { outcome, endedAt } = await watch({ fetch }, 2 * HOUR);
      expect(outcome?.error).toBeUndefined();
      expect(outcome?.completed).toBe(true);
      expect(outcome?.values.at(-1)).toMatchObject({ done: true, files: files.length });
      const jobEnd = files.reduce((sum, f) => sum + f.ms, 0);
      expect(endedAt).toBeGreaterThanOrEqual(jobEnd);
      expect(endedAt! - jobEnd).toBeLessThanOrEqual(5000);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('ends a dead job with stall, carrying the last snapshot, once the bytes left no longer explain the silence', async () => {
      // 3 files of 1 GB at 10 MB/s; the job dies after the first file (at 100 s).
      const files: File[] = [{ bytes: 1 * GB, ms: 100_000 }, { bytes: 1 * GB, ms: 100_000 }, { bytes: 1 * GB, ms: 100_000 }];
      const { fetch } = fakeFetch(progressOf(files, 1));
      const watched = await watch({ fetch }, 2 * HOUR);
      expect(watched.outcome).toBeUndefined(); // 2 GB left explain 2 h of silence at 256 KiB/s
      await jest.advanceTimersByTimeAsync(2 * HOUR);
      // Allowed: 2 GB at the floor rate (the observed 10 MB/s / 10 is faster), from the change.
      const allowed = Math.ceil((2 * GB / STALL_DEFAULTS.floorBytesPerSecond) * 1000);
      expect(watched.outcome?.error).toMatchObject({ name: 'ProgressTimeoutError', reason: 'stall', timeoutMs: allowed, lastProgress: { files: 1, bytes: 1 * GB } });
      const changeSeenAt = (watched.outcome?.error as { lastProgress: ZipProgress }).lastProgress.elapsedMs;
      expect(changeSeenAt).toBeGreaterThanOrEqual(100_000);
      expect(watched.endedAt).toBe(changeSeenAt + allowed);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('re-arms when a change leaves few bytes: a job that dies near its end ends 60 min later, not many hours', async () => {
      // 4 GB in two files; the first (4 GB - 1 MB) is done at 60 s, then the job dies.
      const files: File[] = [{ bytes: 4 * GB - 1 * MB, ms: 60_000 }, { bytes: 1 * MB, ms: 1000 }];
      const { fetch } = fakeFetch(progressOf(files, 1));
      const watched = await watch({ fetch }, 2 * HOUR);
      expect(watched.outcome?.error).toMatchObject({ reason: 'stall', timeoutMs: STALL_DEFAULTS.baseMs, lastProgress: { files: 1 } });
      const changeSeenAt = (watched.outcome?.error as { lastProgress: ZipProgress }).lastProgress.elapsedMs;
      expect(watched.endedAt).toBe(changeSeenAt + STALL_DEFAULTS.baseMs);
    });

    it('keeps an explicit stallTimeout a fixed limit', async () => {
      const { fetch } = fakeFetch(progressOf(bigFile));
      const { outcome, endedAt } = await watch({ fetch, stallTimeout: 10 * MIN }, HOUR);
      expect(outcome?.error).toMatchObject({ reason: 'stall', timeoutMs: 10 * MIN, lastProgress: { files: 0, totalbytes: 30 * GB } });
      expect(endedAt).toBe(10 * MIN);
    });

    it('ends a dead small job with stall after 60 min without change', async () => {
      const { fetch } = fakeFetch(() => ({ body: { result: 0, files: 1, totalfiles: 5, bytes: 10, totalbytes: 50 } }));
      const { outcome, endedAt } = await watch({ fetch }, HOUR);
      expect(outcome?.error).toMatchObject({
        name: 'ProgressTimeoutError',
        reason: 'stall',
        timeoutMs: STALL_DEFAULTS.baseMs,
        lastProgress: { files: 1, totalfiles: 5, bytes: 10, totalbytes: 50 },
      });
      expect(endedAt).toBe(STALL_DEFAULTS.baseMs);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('every duration option of 30 days (past the 2^31-1 ms timer limit)', () => {
    const days30 = 30 * DAY;
    const stuck: Route = () => ({ body: { result: 0, files: 1, totalfiles: 5, bytes: 10, totalbytes: 50 } });
    const sixHours = (): number => 6 * HOUR;

    it('timeout: fails with deadline after 30 days, not after 2 ms', async () => {
      const { fetch, requests } = fakeFetch(stuck);
      const watched = await watch({ fetch, timeout: days30, stallTimeout: Infinity, backoff: sixHours }, days30 - 1);
      expect(watched.outcome).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(watched.outcome?.error).toMatchObject({ reason: 'deadline', timeoutMs: days30 });
      expect(watched.endedAt).toBe(days30);
      expect(requests).toHaveLength(120); // every 6 h, none after the deadline
      expect(jest.getTimerCount()).toBe(0);
    });

    it('stallTimeout: fails with stall after 30 days without change, arming a handful of timers', async () => {
      const { fetch, requests } = fakeFetch(stuck);
      const watched = await watch({ fetch, stallTimeout: days30, backoff: () => DAY }, days30 - 1);
      expect(watched.outcome).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(watched.outcome?.error).toMatchObject({ reason: 'stall', timeoutMs: days30 });
      expect(requests).toHaveLength(30);
    });

    it('requestTimeout: a request answered after 10 min is not aborted', async () => {
      const { fetch, requests } = fakeFetch(() => ({ body: { result: 0, files: 1, totalfiles: 1, bytes: 5, totalbytes: 5 }, afterMs: 10 * MIN }));
      const watched = await watch({ fetch, requestTimeout: days30 }, HOUR);
      expect(watched.outcome?.completed).toBe(true);
      expect(watched.endedAt).toBe(10 * MIN);
      expect(requests).toHaveLength(1);
    });

    it('requestTimeout: a request that never answers times out after 30 days', async () => {
      const { fetch } = fakeFetch(() => ({ afterMs: Infinity }));
      const watched = await watch({ fetch, requestTimeout: days30, maxRetries: 0, stallTimeout: Infinity }, days30 + 1);
      expect(watched.outcome?.error).toMatchObject({ name: 'TransportError', kind: 'timeout' });
      expect(watched.endedAt).toBe(days30);
    });

    it('backoff: exponential waits of 30 days are waited in full', async () => {
      const { fetch, requests } = fakeFetch(stuck);
      await watch({ fetch, stallTimeout: Infinity, backoff: { initialDelay: days30, maxDelay: days30 } }, 2 * days30 + 1);
      expect(requests.map(([, t]) => t)).toEqual([0, days30, 2 * days30]);
    });

    it('Retry-After: a server asking for 30 days gets 30 days', async () => {
      let n = 0;
      const { fetch, requests } = fakeFetch(() => (++n === 1 ? { status: 503, headers: { 'retry-after': String(days30 / 1000) } } : { body: { result: 0, files: 1, totalfiles: 1, bytes: 1, totalbytes: 1 } }));
      const watched = await watch({ fetch, stallTimeout: Infinity }, days30 + 1);
      expect(requests.map(([, t]) => t)).toEqual([0, days30]);
      expect(watched.outcome?.completed).toBe(true);
    });

    it('notFoundGrace: 1901 keeps meaning "not registered yet" for 30 days', async () => {
      const registersAt = 26 * DAY;
      const { fetch } = fakeFetch((_m, t) => ({ body: t < registersAt ? { result: 1901, error: 'Zip not found.' } : { result: 0, files: 1, totalfiles: 1, bytes: 1, totalbytes: 1 } }));
      const watched = await watch({ fetch, notFoundGrace: days30, stallTimeout: Infinity, backoff: sixHours }, 27 * DAY);
      expect(watched.outcome?.completed).toBe(true);
      // Seen at the first poll from the day it registers (polls every 6 h).
      expect(watched.endedAt).toBeGreaterThanOrEqual(registersAt);
      expect(watched.endedAt).toBeLessThanOrEqual(registersAt + 6 * HOUR);
    });

    it('saveZip$: timeout and requestTimeout of 30 days let a 2 h zip finish', async () => {
      const files: File[] = [{ bytes: 10 * GB, ms: 2 * HOUR }];
      const metadata = { name: 'a.zip', path: '/a.zip', size: 10, isfolder: false, fileid: 1, parentfolderid: 0, contenttype: 'application/zip', id: 'f1', created: 'x', modified: 'x' };
      const { fetch } = fakeFetch((method, t) =>
        method === 'savezip' ? { body: { result: 0, metadata }, afterMs: 2 * HOUR + 1000 } : { body: progressAt(files, t) },
      );
      const watched = observe<SaveZipEvent>(saveZip$({ auth: 't', fetch, folderid: 1, topath: '/a.zip', pinServer: false, timeout: days30, requestTimeout: days30 }));
      await jest.advanceTimersByTimeAsync(3 * HOUR);
      expect(watched.outcome?.error).toBeUndefined();
      expect(watched.outcome?.values.at(-1)).toMatchObject({ type: 'saved', metadata: { name: 'a.zip' } });
    });
  });
});
