/** How the worker example's scripts name and reach Redis. */
import type { ConnectionOptions } from 'bullmq';

/**
 * The Redis URL fit for a log line or an error: scheme, host, port and database, without the
 * user name and password a `redis://user:password@host` URL may carry.
 */
export function shownRedisUrl(redisUrl: string): string {
  try {
    const url = new URL(redisUrl);
    url.username = '';
    url.password = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return 'REDIS_URL (not a URL)';
  }
}

/** Throws a TypeError unless `redisUrl` is a redis:// or rediss:// URL. */
export function checkRedisUrl(redisUrl: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(redisUrl).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new TypeError(`REDIS_URL must be a redis:// or rediss:// URL, got '${shownRedisUrl(redisUrl)}'`);
}

/**
 * A connection for a short-lived client: `attempts` connection attempts, then the pending command
 * fails instead of waiting forever. ioredis' default reconnects for ever, which suits a worker
 * (Redis restarts, the worker carries on) but leaves a command-line tool hanging.
 */
export function boundedConnection(redisUrl: string, attempts: number): ConnectionOptions {
  return {
    url: redisUrl,
    connectTimeout: 5_000,
    // Called after each failed attempt; null stops reconnecting and fails what is waiting.
    retryStrategy: (times: number) => (times >= attempts ? null : Math.min(250 * times, 1_000)),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  };
}
