/**
 * How long pCloud's rate limiting (every 4xxx result, 4000 "Too many login tries" included) is
 * waited out. api.txt: 4xxx means "the API server is rate limiting you because of too many
 * requests or login tries. It should be possible to retry the request at a later stage." So the
 * wait is long and grows: the schedule's longest wait (`rateLimitDelay`), doubled with each
 * failure in a row, at most `RATE_LIMIT_MAX_WAIT`. With the default schedule and `maxRetries`
 * (5) that is 4.7 s, 9.4 s, 18.8 s, 37.6 s and 75.2 s: about 2.5 minutes of waiting before the
 * stream fails; `maxRetries` makes it longer, the overall `timeout` still ends it.
 */

/** The longest single wait after a rate limit: 10 minutes. */
export const RATE_LIMIT_MAX_WAIT = 10 * 60_000;

/**
 * The least wait before retrying after the `failuresInARow`-th failure in a row (1 for the
 * first) that was a rate limit.
 *
 * @example
 * rateLimitWait(4700, 1); // 4700
 * rateLimitWait(4700, 3); // 18800
 */
export function rateLimitWait(rateLimitDelay: number, failuresInARow: number): number {
  const doublings = Math.max(0, failuresInARow - 1);
  return Math.min(RATE_LIMIT_MAX_WAIT, rateLimitDelay * 2 ** Math.min(doublings, 30));
}
