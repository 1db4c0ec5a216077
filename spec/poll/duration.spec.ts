import { durationOption, isDuration } from '../../lib/poll/duration.js';

/** The one duration validator: every option and schedule bound goes through it. */
describe('durationOption', () => {
  const thirtyDays = 30 * 86_400_000;

  it.each([1, 30_000, thirtyDays, 2 ** 40, Infinity])('accepts %p ms by default (any length, Infinity = never)', (ms) => {
    expect(durationOption('timeout', ms)).toBe(ms);
  });

  it.each([
    [0, {}, 'timeout must be a number of ms > 0 (or Infinity), got 0'],
    [-1, { allowZero: true }, 'timeout must be a number of ms >= 0 (or Infinity), got -1'],
    [Number.NaN, {}, 'timeout must be a number of ms > 0 (or Infinity), got NaN'],
    ['30000', {}, 'timeout must be a number of ms > 0 (or Infinity), got string'],
    [null, {}, 'timeout must be a number of ms > 0 (or Infinity), got object'],
    [Infinity, { allowZero: true, allowInfinity: false }, 'timeout must be a number of ms >= 0, finite, got Infinity'],
  ])('rejects %p (%j) with one message style', (value, rules, message) => {
    expect(() => durationOption('timeout', value, rules)).toThrow(new TypeError(message));
  });

  it('allows 0 only when asked to', () => {
    expect(isDuration(0)).toBe(false);
    expect(isDuration(0, { allowZero: true })).toBe(true);
    expect(isDuration(thirtyDays, { allowInfinity: false })).toBe(true);
  });
});
