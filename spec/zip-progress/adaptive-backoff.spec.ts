import { ADAPTIVE_DEFAULTS, adaptiveBackoff, type BackoffContext, type ZipProgress } from '../../lib/index.js';
import { resolvePolling } from '../../lib/zip-progress/polling-options.js';

/** A snapshot seen at `elapsedMs`, with the ETA the poller would have computed then. */
const snapshot = (over: Partial<ZipProgress>): ZipProgress => ({
  files: 0,
  totalfiles: 10,
  bytes: 0,
  totalbytes: 1000,
  fraction: 0,
  done: false,
  elapsedMs: 0,
  bytesPerSecond: undefined,
  etaMs: undefined,
  ...over,
});

const context = (over: Partial<BackoffContext>): BackoffContext => ({
  polls: 1,
  unchangedPolls: 0,
  failures: 0,
  lastProgress: undefined,
  bytesPerSecond: undefined,
  etaMs: undefined,
  msSinceLastAnswer: 0,
  lastError: undefined,
  elapsedMs: 0,
  ...over,
});

/** A job of one file (no rate until it ends), `elapsedMs` into it. */
const oneFile = (elapsedMs: number): BackoffContext =>
  context({ elapsedMs, lastProgress: snapshot({ totalfiles: 1, totalbytes: 1000 }), unchangedPolls: 3 });

/** A job with a rate whose last change, at `changedAt`, predicted `etaMs` more to go; now is `now`. */
const withEta = (changedAt: number, etaMs: number, now: number): BackoffContext => {
  const last = snapshot({ files: 5, bytes: 500, elapsedMs: changedAt, bytesPerSecond: 100, etaMs });
  return context({ elapsedMs: now, lastProgress: last, bytesPerSecond: 100, etaMs: etaMs + (now - changedAt), msSinceLastAnswer: 0 });
};

describe('adaptiveBackoff', () => {
  const next = adaptiveBackoff();

  it('keeps every wait within [minDelay, maxDelay], whatever the context', () => {
    const contexts = [
      context({}),
      context({ elapsedMs: -5 }),
      oneFile(10 ** 9),
      withEta(0, 10 ** 9, 1),
      withEta(1000, Number.POSITIVE_INFINITY, 1000),
      withEta(1000, 1, 1000),
      withEta(1000, 10, 50_000),
      context({ failures: 50, elapsedMs: 5000 }),
    ];
    for (const options of [{}, { minDelay: 100, maxDelay: 2000 }]) {
      const schedule = adaptiveBackoff({ ...options, random: () => 0.999 });
      const min = options.minDelay ?? ADAPTIVE_DEFAULTS.minDelay;
      const max = options.maxDelay ?? ADAPTIVE_DEFAULTS.maxDelay;
      for (const ctx of contexts) {
        const wait = schedule(ctx);
        expect(wait).toBeGreaterThanOrEqual(min);
        expect(wait).toBeLessThanOrEqual(max);
      }
    }
  });

  // Defaults 100 ms .. 4.7 s since the bench measured pCloud-like latency (was 250 ms .. 5 s).
  it('grows with the elapsed time while a one-file job shows no rate: 5% of it, from 100 ms to 4.7 s', () => {
    expect([0, 1000, 10_000, 40_000, 100_000, 400_000].map((t) => next(oneFile(t)))).toEqual([100, 100, 500, 2000, 4700, 4700]);
  });

  it('grows faster while a job of several files has not finished one yet, or is not registered', () => {
    const idle = context({ elapsedMs: 10_000, lastProgress: snapshot({ totalfiles: 10 }) });
    expect(next(idle)).toBe(4000);
    expect(next(context({ elapsedMs: 10_000, lastProgress: undefined }))).toBe(4000);
    expect(next(idle)).toBeGreaterThan(next(oneFile(10_000)));
  });

  it('polls right at a predicted end that is within the tolerated lag', () => {
    // 20 s in, 600 ms to go: 5% of 20.6 s is 1030 ms, so the end itself is aimed at.
    expect(next(withEta(20_000, 600, 20_000))).toBe(600);
    // The prediction is anchored at the last change, not at a later unchanged answer.
    expect(next(withEta(20_000, 600, 20_200))).toBe(400);
  });

  it('waits for a far predicted end only as long as a job 4x faster would take, never overshooting it', () => {
    // 2 s in, 8 s to go: at 4x the speed the job ends 2 s from now; 5% of the elapsed time (100 ms) is less.
    expect(next(withEta(2000, 8000, 2000))).toBe(2000);
    // Far away: capped at maxDelay.
    expect(next(withEta(2000, 60_000, 2000))).toBe(4700);
  });

  it('polls at 5% of the elapsed time once a job 4x faster would already have ended, until the counters move', () => {
    // Changed at 2 s predicting 8 s more; at 4 s a job 4x faster would be done: 5% of 4 s.
    expect(next(withEta(2000, 8000, 4000))).toBe(200);
    expect(next(withEta(2000, 8000, 6000))).toBe(300);
  });

  it('waits longer early on when a rate shows the end is far than when nothing is known', () => {
    expect(next(withEta(4000, 16_000, 4000))).toBeGreaterThan(next(oneFile(4000)));
  });

  it('falls back to 5% of the elapsed time once the predicted end has passed', () => {
    expect(next(withEta(20_000, 1000, 40_000))).toBe(2000);
  });

  it('backs off exponentially after failures, with equal jitter from the injected random', () => {
    const top = adaptiveBackoff({ random: () => 0.999_999 });
    const bottom = adaptiveBackoff({ random: () => 0 });
    const failed = (failures: number): BackoffContext => ({ ...withEta(2000, 100, 2000), failures });
    expect([1, 2, 3, 4, 5].map((f) => Math.round(top(failed(f))))).toEqual([500, 1000, 2000, 4000, 4700]);
    expect([1, 2, 3, 4, 5].map((f) => bottom(failed(f)))).toEqual([500, 500, 1000, 2000, 2350]);
  });

  it('does not draw random numbers while nothing fails (deterministic schedule)', () => {
    const random = jest.fn(() => 0.5);
    const schedule = adaptiveBackoff({ random });
    schedule(oneFile(1000));
    schedule(withEta(2000, 8000, 2000));
    expect(random).not.toHaveBeenCalled();
  });

  it.each([
    [{ minDelay: -1 }, /minDelay/],
    [{ maxDelay: Number.NaN }, /maxDelay/],
    [{ minDelay: 300, maxDelay: 200 }, /must not be below/],
    [{ lagShare: 0 }, /lagShare/],
    [{ aimShare: 1.5 }, /aimShare/],
    [{ idleShare: Number.NaN }, /idleShare/],
    [{ failureDelay: Infinity }, /failureDelay/],
  ])('rejects %p', (options, message) => {
    expect(() => adaptiveBackoff(options)).toThrow(message);
  });
});

describe('resolvePolling and the default schedule', () => {
  it('uses adaptiveBackoff when no backoff is given, with its longest wait after a bare 429', () => {
    const polling = resolvePolling({});
    expect([10_000, 100_000].map((t) => polling.backoff(oneFile(t)))).toEqual([500, 4700]);
    expect(polling.rateLimitDelay).toBe(ADAPTIVE_DEFAULTS.maxDelay);
  });

  it('keeps the exponential schedule selectable with an options object', () => {
    const polling = resolvePolling({ backoff: { initialDelay: 100, maxDelay: 800, factor: 2, jitter: 'none' } });
    expect([0, 1, 5].map((unchangedPolls) => polling.backoff(context({ unchangedPolls, elapsedMs: 100_000 })))).toEqual([100, 200, 800]);
    expect(polling.rateLimitDelay).toBe(800);
  });
});
