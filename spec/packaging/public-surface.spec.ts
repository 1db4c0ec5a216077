/**
 * The package entry's runtime surface (issue 13): only what a user of zip progress needs, and
 * nothing a caller could change for every other caller. The full typed surface, types included,
 * is the API report spec/api/pcloud-zip-progress.api.md (`npm run api:check`).
 */
import * as api from '../../lib/index.js';

describe('the public surface of pcloud-zip-progress', () => {
  it('exports exactly these runtime values (poll, jittered, estimateRate, the stall rule ... stay internal)', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'ADAPTIVE_DEFAULTS',
        'AbortError',
        'DEFAULT_API_URL',
        'EXPONENTIAL_DEFAULTS',
        'PCloudApiError',
        'PCloudErrorCode',
        'PCloudZipError',
        'POLLING_DEFAULTS',
        'ProgressTimeoutError',
        'ResponseDecodeError',
        'TransportError',
        'adaptiveBackoff',
        'exponentialBackoff',
        'isTransientCode',
        'saveZip$',
        'zipFileMetadata$',
        'zipProgress$',
        'zipProgressEvents$',
      ].sort(),
    );
  });

  it('freezes every exported object, so no caller changes the defaults or the codes of another', () => {
    for (const value of [api.ADAPTIVE_DEFAULTS, api.EXPONENTIAL_DEFAULTS, api.POLLING_DEFAULTS, api.PCloudErrorCode]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => {
      (api.POLLING_DEFAULTS as { requestTimeout: number }).requestTimeout = 1;
    }).toThrow(TypeError);
    expect(api.POLLING_DEFAULTS.requestTimeout).toBe(30_000);
  });
});
