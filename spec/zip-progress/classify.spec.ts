import { PCloudApiError, PCloudErrorCode, ResponseDecodeError, TransportError, type ZipProgress } from '../../lib/index.js';
import type { PollContext } from '../../lib/poll/poll.js';
import { classifyProgressError } from '../../lib/zip-progress/classify.js';
import { resolvePolling } from '../../lib/zip-progress/polling-options.js';

/** What a failed savezipprogress poll means: pending, retried (with a floor), or final. */
describe('classifyProgressError', () => {
  const polling = resolvePolling({ backoff: { initialDelay: 100, maxDelay: 7000 }, notFoundGrace: 1000 });
  const snapshot: ZipProgress = { files: 1, totalfiles: 3, bytes: 5, totalbytes: 10, fraction: 0.5, done: false, elapsedMs: 10, bytesPerSecond: undefined, etaMs: undefined };
  const context = (extra: Partial<PollContext<ZipProgress>> = {}): PollContext<ZipProgress> => ({
    polls: 1, unchangedPolls: 0, failures: 0, last: undefined, lastError: undefined, elapsedMs: 0, ...extra,
  });
  const api = (code: number, transient: boolean): PCloudApiError => new PCloudApiError({ code, method: 'savezipprogress', message: 'x', transient });
  const transport = (init: Partial<ConstructorParameters<typeof TransportError>[0]>): TransportError =>
    new TransportError({ kind: 'http', method: 'savezipprogress', message: 'x', transient: true, ...init });

  it('1901 before any snapshot and within notFoundGrace: not registered yet (pending)', () => {
    expect(classifyProgressError(polling, api(PCloudErrorCode.ZipNotFound, false), context({ elapsedMs: 999 }))).toEqual({ kind: 'pending' });
  });

  it.each<[string, Partial<PollContext<ZipProgress>>]>([
    ['after the grace period', { elapsedMs: 1000 }],
    ['after a snapshot was seen', { elapsedMs: 10, last: snapshot }],
  ])('1901 %s: final', (_when, extra) => {
    expect(classifyProgressError(polling, api(PCloudErrorCode.ZipNotFound, false), context(extra))).toEqual({ kind: 'fatal' });
  });

  it('a transient pCloud code is retried on the normal schedule', () => {
    expect(classifyProgressError(polling, api(PCloudErrorCode.InternalError, true), context())).toEqual({ kind: 'retry' });
  });

  it.each([4000, 4001, 4010, 4999])('a 4xxx rate limit (%i; 4000 too) is retried no sooner than the schedule\u2019s longest wait, doubled per failure in a row', (code) => {
    expect(classifyProgressError(polling, api(code, true), context())).toEqual({ kind: 'retry', minDelayMs: 7000 });
    expect(classifyProgressError(polling, api(code, true), context({ failures: 2 }))).toEqual({ kind: 'retry', minDelayMs: 28_000 });
  });

  it.each([PCloudErrorCode.LoginFailed, PCloudErrorCode.LoginRequired])('a fatal pCloud code (%i) ends the stream', (code) => {
    expect(classifyProgressError(polling, api(code, false), context())).toEqual({ kind: 'fatal' });
  });

  it('a transient transport failure is retried, honouring Retry-After', () => {
    expect(classifyProgressError(polling, transport({ kind: 'network' }), context())).toEqual({ kind: 'retry' });
    expect(classifyProgressError(polling, transport({ status: 503, retryAfterMs: 12_000 }), context())).toEqual({ kind: 'retry', minDelayMs: 12_000 });
    expect(classifyProgressError(polling, transport({ status: 429, retryAfterMs: 0 }), context())).toEqual({ kind: 'retry', minDelayMs: 0 });
  });

  it('HTTP 429 without Retry-After waits the schedule\u2019s longest wait', () => {
    expect(classifyProgressError(polling, transport({ status: 429 }), context())).toEqual({ kind: 'retry', minDelayMs: 7000 });
  });

  it.each<[string, unknown]>([
    ['a non-transient transport failure', new TransportError({ kind: 'http', method: 'savezipprogress', message: 'x', transient: false, status: 403 })],
    ['a body that does not decode', new ResponseDecodeError({ method: 'savezipprogress', paths: ['files'], problems: ['bad'], excerpt: '{}', status: 200 })],
    ['an unknown error', new Error('bug')],
    ['a thrown string', 'oops'],
  ])('%s ends the stream', (_what, error) => {
    expect(classifyProgressError(polling, error, context())).toEqual({ kind: 'fatal' });
  });
});
