import { PCloudApiError, TransportError, type ZipWaitEvent } from '../../lib/node.js';
import { formatDelay, hostOf, waitLine, waitState } from '../../examples/worker/waits.js';

const HOST = 'api.pcloud.com';
// Server text that must never reach a job's log or progress data.
const SERVER_TEXT = 'Too many login tries. auth=s3cret';

function retrying(error: PCloudApiError | TransportError, attempt: number, delayMs: number): ZipWaitEvent {
  return { type: 'retrying', error, attempt, maxRetries: 5, delayMs };
}

const http = (status: number): TransportError =>
  new TransportError({ kind: 'http', method: 'savezipprogress', message: `HTTP ${status} ${SERVER_TEXT}`, transient: true, status });
const api = (code: number): PCloudApiError => new PCloudApiError({ code, method: 'savezipprogress', message: SERVER_TEXT, transient: true });

describe('what the worker tells of a wait (job log line and progress state)', () => {
  it.each([
    [retrying(http(503), 2, 12_000), 'retrying in 12 s: HTTP 503 from api.pcloud.com (attempt 2 of 5)', { state: 'retrying', retry: { attempt: 2, maxRetries: 5, delayMs: 12_000, reason: 'HTTP 503' } }],
    [retrying(api(4000), 1, 60_000), 'throttled by pCloud (4000): retrying in 60 s (attempt 1 of 5)', { state: 'throttled', retry: { attempt: 1, maxRetries: 5, delayMs: 60_000, reason: 'pCloud error 4000' } }],
    [retrying(api(4001), 3, 18_800), 'throttled by pCloud (4001): retrying in 18.8 s (attempt 3 of 5)', { state: 'throttled', retry: { attempt: 3, maxRetries: 5, delayMs: 18_800, reason: 'pCloud error 4001' } }],
    [retrying(http(429), 1, 1_000), 'throttled by pCloud (HTTP 429): retrying in 1 s (attempt 1 of 5)', { state: 'throttled', retry: { attempt: 1, maxRetries: 5, delayMs: 1_000, reason: 'HTTP 429' } }],
    [retrying(api(5000), 1, 500), 'retrying in 500 ms: pCloud error 5000 from api.pcloud.com (attempt 1 of 5)', { state: 'retrying', retry: { attempt: 1, maxRetries: 5, delayMs: 500, reason: 'pCloud error 5000' } }],
    [
      retrying(new TransportError({ kind: 'network', method: 'savezipprogress', message: `ECONNRESET ${SERVER_TEXT}`, transient: true }), 4, 3_000),
      'retrying in 3 s: network error from api.pcloud.com (attempt 4 of 5)',
      { state: 'retrying', retry: { attempt: 4, maxRetries: 5, delayMs: 3_000, reason: 'network error' } },
    ],
    [
      retrying(new TransportError({ kind: 'timeout', method: 'savezipprogress', message: 'timed out', transient: true }), 1, 700),
      'retrying in 700 ms: timeout from api.pcloud.com (attempt 1 of 5)',
      { state: 'retrying', retry: { attempt: 1, maxRetries: 5, delayMs: 700, reason: 'timeout' } },
    ],
    [{ type: 'waiting', reason: 'not-registered', delayMs: 250 }, 'pCloud has not registered the zip yet: polling again in 250 ms', { state: 'waiting' }],
    [{ type: 'paused' }, 'polling paused', { state: 'paused' }],
    [{ type: 'resumed' }, 'polling resumed', { state: 'running' }],
  ] satisfies Array<[ZipWaitEvent, string, ReturnType<typeof waitState>]>)('%#: %j', (event, line, state) => {
    expect(waitLine(event, HOST)).toBe(line);
    expect(waitState(event)).toEqual(state);
    // Built from the error's fields: no server text, whatever the message held.
    expect(JSON.stringify([waitLine(event, HOST), waitState(event)])).not.toMatch(/s3cret|login tries|ECONNRESET/);
  });

  it('formats waits from milliseconds to minutes', () => {
    expect([250, 1_000, 4_700, 75_200, 119_900, 600_000].map(formatDelay)).toEqual(['250 ms', '1 s', '4.7 s', '75.2 s', '119.9 s', '10 min']);
  });

  it('names the API by its host only: never userinfo, path or query', () => {
    expect(hostOf('https://user:pw@eapi.pcloud.com:8443/x?auth=s3cret')).toBe('eapi.pcloud.com:8443');
    expect(hostOf('not a url')).toBe('pCloud');
  });
});
