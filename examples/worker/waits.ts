/**
 * What an operator sees of a zip's waits: the library's wait events (`retrying`, `waiting`,
 * `paused`, `resumed`) as one job-log line each and as the state in the job's progress data.
 * Pure: no Redis, no clock. Built from the error's fields only (code, status, kind), never from
 * its message, so no server text (nor anything a server echoed) reaches Redis.
 */
import { PCloudApiError, TransportError, type ZipWaitEvent } from '../../lib/node.js';

/**
 * What the job's zip is doing, in its progress data: `running` (polling, progress comes),
 * `retrying` (a poll failed, the next is due after `retry.delayMs`), `throttled` (the same, pCloud
 * asked to slow down: a 4xxx result or HTTP 429), `waiting` (pCloud has not registered the zip
 * yet), `paused` (polling paused: never in this worker, which passes no `paused` signal; a worker
 * that pauses its polls would show it), `done` (the job succeeded).
 */
export type ZipJobState = 'running' | 'retrying' | 'throttled' | 'waiting' | 'paused' | 'done';

/** The retry under way, while the state is `retrying` or `throttled`. */
export interface ZipJobRetry {
  /** The library's retry in a row, 1 to `maxRetries` (not the BullMQ attempt). */
  readonly attempt: number;
  readonly maxRetries: number;
  /** How long the wait before that retry is, from when it started. */
  readonly delayMs: number;
  /** What failed: `HTTP 503`, `pCloud error 5000`, `pCloud error 4000`, `network error`, `timeout`. */
  readonly reason: string;
}

/** The state of the job's progress data that an event starts, and its retry if it is one. */
export interface WaitState {
  readonly state: ZipJobState;
  readonly retry?: ZipJobRetry;
}

/** Whether pCloud asked to slow down: any 4xxx result (4000 included), or HTTP 429. */
export function isThrottle(error: unknown): boolean {
  if (PCloudApiError.is(error)) return error.code >= 4000 && error.code < 5000;
  return TransportError.is(error) && error.status === 429;
}

/** A failure in a few words, from its fields only (see the file comment). */
export function failureReason(error: unknown): string {
  if (PCloudApiError.is(error)) return `pCloud error ${error.code}`;
  if (TransportError.is(error)) {
    switch (error.kind) {
      case 'http':
      case 'redirect':
        return `HTTP ${error.status ?? '?'}`;
      case 'network':
        return 'network error';
      case 'timeout':
        return 'timeout';
    }
  }
  return 'error';
}

/** A wait for a log line: `250 ms`, `1 s`, `4.7 s`, `75 s`, `10 min`. */
export function formatDelay(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6_000) / 10} min`;
}

/** The host of an API URL for a log line (never its userinfo, path or query), or `pCloud`. */
export function hostOf(apiUrl: string): string {
  try {
    return new URL(apiUrl).host || 'pCloud';
  } catch {
    return 'pCloud';
  }
}

/**
 * The job-log line of a wait, e.g. `retrying in 12 s: HTTP 503 from api.pcloud.com (attempt 2 of 5)`
 * or `throttled by pCloud (4000): retrying in 60 s (attempt 1 of 5)`. `host`: the API host polled.
 */
export function waitLine(event: ZipWaitEvent, host: string): string {
  switch (event.type) {
    case 'retrying': {
      const { error, attempt, maxRetries, delayMs } = event;
      const of = `(attempt ${attempt} of ${maxRetries})`;
      if (isThrottle(error)) {
        const code = PCloudApiError.is(error) ? String(error.code) : failureReason(error);
        return `throttled by pCloud (${code}): retrying in ${formatDelay(delayMs)} ${of}`;
      }
      return `retrying in ${formatDelay(delayMs)}: ${failureReason(error)} from ${host} ${of}`;
    }
    case 'waiting':
      return `pCloud has not registered the zip yet: polling again in ${formatDelay(event.delayMs)}`;
    case 'paused':
      return 'polling paused';
    case 'resumed':
      return 'polling resumed';
  }
}

/** The state an event puts the job's progress data in (`resumed`: back to `running`). */
export function waitState(event: ZipWaitEvent): WaitState {
  switch (event.type) {
    case 'retrying': {
      const { error, attempt, maxRetries, delayMs } = event;
      return { state: isThrottle(error) ? 'throttled' : 'retrying', retry: { attempt, maxRetries, delayMs, reason: failureReason(error) } };
    }
    case 'waiting':
      return { state: 'waiting' };
    case 'paused':
      return { state: 'paused' };
    case 'resumed':
      return { state: 'running' };
  }
}
