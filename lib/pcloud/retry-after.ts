/**
 * Parses an HTTP `Retry-After` value, either delay-seconds or an HTTP date, into ms from `now`.
 * Returns undefined for a missing or unparsable header; a date in the past means 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const trimmed = value?.trim() ?? '';
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day name. Date.parse alone
  // would read '-5', '1.5' or '2015' as dates in the past, that is "retry at once".
  const date = /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
