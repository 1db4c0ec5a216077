import { exponentialBackoff } from '../../lib/index.js';
import { jittered } from '../../lib/poll/exponential-backoff.js';

describe('exponentialBackoff', () => {
  const none = { jitter: 'none' } as const;

  it('starts at initialDelay and grows by factor per unchanged poll, capped at maxDelay', () => {
    const next = exponentialBackoff({ initialDelay: 100, maxDelay: 1000, factor: 2, ...none });
    const waits = [0, 1, 2, 3, 4, 5].map((unchangedPolls) => next({ unchangedPolls, failures: 0 }));
    expect(waits).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('counts consecutive failures, the first retry waiting initialDelay', () => {
    const next = exponentialBackoff({ initialDelay: 100, maxDelay: 10_000, factor: 3, ...none });
    expect([1, 2, 3].map((failures) => next({ unchangedPolls: 7, failures }))).toEqual([100, 300, 900]);
  });

  it('keeps every jittered wait within [initialDelay, maxDelay]', () => {
    for (const jitter of ['full', 'equal'] as const) {
      for (const r of [0, 0.25, 0.999, -5, 7, Number.NaN]) {
        const next = exponentialBackoff({ initialDelay: 300, maxDelay: 2000, factor: 2, jitter, random: () => r });
        for (let n = 0; n < 10; n++) {
          const wait = next({ unchangedPolls: n, failures: 0 });
          expect(wait).toBeGreaterThanOrEqual(300);
          expect(wait).toBeLessThanOrEqual(2000);
        }
      }
    }
  });

  it('stays a number after any number of steps, also from an initialDelay of 0', () => {
    const zero = exponentialBackoff({ initialDelay: 0, maxDelay: 1000, factor: 2, ...none });
    expect([0, 5000, 1e6].map((unchangedPolls) => zero({ unchangedPolls, failures: 0 }))).toEqual([0, 0, 0]);
    const capped = exponentialBackoff({ initialDelay: 100, maxDelay: 1000, factor: 2, ...none });
    expect(capped({ unchangedPolls: 1e6, failures: 0 })).toBe(1000);
  });

  it('draws jitter from the injected random source', () => {
    const next = exponentialBackoff({ initialDelay: 100, maxDelay: 1000, factor: 10, jitter: 'equal', random: () => 0.5 });
    expect(next({ unchangedPolls: 1, failures: 0 })).toBe(750);
    const full = exponentialBackoff({ initialDelay: 100, maxDelay: 1000, factor: 10, jitter: 'full', random: () => 0.5 });
    expect(full({ unchangedPolls: 1, failures: 0 })).toBe(550);
  });

  it.each([
    [{ initialDelay: -1 }, /backoff.initialDelay/],
    [{ initialDelay: Number.NaN }, /backoff.initialDelay/],
    [{ maxDelay: 10, initialDelay: 100 }, /maxDelay \(10\) must not be below/],
    [{ factor: 0.5 }, /backoff.factor/],
    [{ jitter: 'sometimes' }, /backoff.jitter/],
  ])('rejects %j', (options, message) => {
    expect(() => exponentialBackoff(options as never)).toThrow(message);
  });
});

describe('jittered', () => {
  it('equal jitter spans the upper half of the nominal delay, never below the floor', () => {
    expect(jittered(1000, 0, 'equal', () => 0)).toBe(500);
    expect(jittered(1000, 800, 'equal', () => 0)).toBe(800);
    expect(jittered(1000, 0, 'none', () => 0)).toBe(1000);
  });
});
