/**
 * Parses an HTTP `Retry-After` value, either delay-seconds or an HTTP date, into ms from `now`.
 * Returns undefined for a missing or unparsable header; a date in the past means 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
