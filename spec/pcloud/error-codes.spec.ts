import { isTransientCode, PCloudApiError, PCloudErrorCode } from '../../lib/index.js';
import { isRateLimitCode, pcloudErrorCategory } from '../../lib/pcloud/error-codes.js';
import { classifyProgressError } from '../../lib/zip-progress/classify.js';
import { resolvePolling } from '../../lib/zip-progress/polling-options.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("pCloud's error categories (api.txt, errors.txt)", () => {
  it('every 5xxx is internal and transient, documented or not', () => {
    for (const code of range(5000, 5999)) {
      expect([code, pcloudErrorCategory(code), isTransientCode(code), isRateLimitCode(code)]).toEqual([code, 'internal', true, false]);
    }
    expect([5001, 5003, 5004].map(isTransientCode)).toEqual([true, true, true]);
  });

  it('every 4xxx is rate limiting, 4000 ("Too many login tries") included: transient, with the long wait', () => {
    for (const code of range(4000, 4999)) {
      expect([code, pcloudErrorCategory(code), isTransientCode(code), isRateLimitCode(code)]).toEqual([code, 'rate-limit', true, true]);
    }
    expect(PCloudErrorCode.TooManyLoginTries).toBe(4000);
  });

  it('19xx are timing codes, final here (1901 has its own grace rule); everything else is final', () => {
    for (const code of range(1900, 1999)) expect([code, pcloudErrorCategory(code), isTransientCode(code)]).toEqual([code, 'timing', false]);
    for (const code of [...range(1, 1899), ...range(2000, 3999), ...range(6000, 9999), -1, 0x7fffffff]) {
      expect([code, pcloudErrorCategory(code), isTransientCode(code)]).toEqual([code, 'request', false]);
    }
  });

  it('names only documented codes: no 4010, and 5003/5004 by name', () => {
    expect(Object.values(PCloudErrorCode)).not.toContain(4010);
    expect(PCloudErrorCode).toMatchObject({ WriteError: 5003, ReadError: 5004 });
  });

  it('the poll classifier waits at least the rate-limit delay after any 4xxx, doubled per failure in a row, and retries every 5xxx at the normal pace', () => {
    const polling = resolvePolling({ backoff: { initialDelay: 5, maxDelay: 777, jitter: 'none' } });
    const context = (failures: number) => ({ last: undefined, elapsedMs: 0, failures }) as unknown as Parameters<typeof classifyProgressError>[2];
    const verdict = (code: number, failures = 0) => classifyProgressError(polling, new PCloudApiError({ code, method: 'savezipprogress', message: 'x', transient: isTransientCode(code) }), context(failures));
    for (const code of [4000, 4001, 4010, 4500, 4999]) expect(verdict(code)).toEqual({ kind: 'retry', minDelayMs: 777 });
    expect([0, 1, 2].map((failures) => verdict(4000, failures))).toEqual([777, 1554, 3108].map((minDelayMs) => ({ kind: 'retry', minDelayMs })));
    for (const code of [5000, 5001, 5003, 5004, 5999]) expect(verdict(code)).toEqual({ kind: 'retry' });
    expect(verdict(2000)).toEqual({ kind: 'fatal' });
  });
});
