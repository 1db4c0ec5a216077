import { parseRetryAfter } from '../../lib/pcloud/retry-after.js';

/** `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date, into ms from now. */
describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it.each<[string, number]>([
    ['0', 0],
    ['1', 1000],
    ['120', 120_000],
    [' 5 ', 5000],
    ['007', 7000],
  ])('reads delay-seconds %j', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each<[string, number]>([
    ['Wed, 21 Oct 2015 07:28:30 GMT', 30_000], // IMF-fixdate
    ['Wednesday, 21-Oct-15 07:29:00 GMT', 60_000], // obsolete RFC 850
    ['Wed Oct 21 07:28:10 2015', 10_000], // asctime (read as local time by Date.parse: UTC here)
  ])('reads the HTTP date %j as ms from now', (value, ms) => {
    const at = value.includes('GMT') ? ms : Date.parse(value) - now;
    expect(parseRetryAfter(value, now)).toBe(at);
  });

  it('a date in the past means at once', () => {
    expect(parseRetryAfter('Tue, 20 Oct 2015 07:28:00 GMT', now)).toBe(0);
  });

  it.each([null, undefined])('no header (%p) means no hint', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  // Date.parse reads '-5' or '1.5' as dates (in 2001): they must not become a
  // "retry at once" hint; a value that is neither form is no hint at all.
  it.each(['', 'soon', '-5', '1.5', '+5', '0x10', '1e3', '5 seconds'])('ignores the malformed value %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
