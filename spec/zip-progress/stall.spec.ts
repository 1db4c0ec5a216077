import { allowedSilenceMs, STALL_DEFAULTS, type StallEvidence } from '../../lib/zip-progress/stall.js';

const GB = 1e9;
const MB = 1e6;
const MIN = 60_000;
const { baseMs, floorBytesPerSecond, slowdown, minPaceBytesPerSecond } = STALL_DEFAULTS;

const at = (files: number, totalfiles: number, bytes: number, totalbytes: number, bytesPerSecond?: number): StallEvidence => ({
  files,
  totalfiles,
  bytes,
  totalbytes,
  bytesPerSecond,
});

/** The default stall rule, a pure function of the last change. */
describe('allowedSilenceMs', () => {
  it('gives any job the base silence (60 min)', () => {
    expect(baseMs).toBe(60 * MIN);
    expect(allowedSilenceMs(undefined)).toBe(baseMs); // no answer yet (not registered, failing)
    expect(allowedSilenceMs(at(4, 5, 400, 500, 100))).toBe(baseMs); // 100 bytes left
  });

  it('lets a big file be zipped at the floor rate before any rate is known (totalbytes decides)', () => {
    const oneFile = allowedSilenceMs(at(0, 1, 0, 30 * GB));
    expect(oneFile).toBe(Math.ceil((30 * GB / floorBytesPerSecond) * 1000));
    // Far beyond the 30 minutes the real job takes: about 32 h.
    expect(oneFile).toBeGreaterThan(30 * 60 * MIN);
    expect(oneFile).toBeLessThan(48 * 60 * MIN);
  });

  it('never shortens the allowance from a fast observed rate (it may come from a first answer mid-file)', () => {
    // 3 small files zipped at an apparent 1 GB/s, then 30 GB left: the floor still applies.
    expect(allowedSilenceMs(at(3, 4, 3 * MB, 30 * GB + 3 * MB, 1 * GB))).toBe(allowedSilenceMs(at(3, 4, 3 * MB, 30 * GB + 3 * MB)));
  });

  it('gives a slow job `slowdown` times its own pace', () => {
    // 20 KB/s observed, 100 MB left: 10 x 5000 s.
    expect(allowedSilenceMs(at(1, 3, 1 * MB, 101 * MB, 20_000))).toBe(Math.ceil(slowdown * (100 * MB / 20_000) * 1000));
  });

  it('shrinks as the bytes left shrink, down to the base', () => {
    const waits = [0, 0.5, 0.9, 0.99, 1].map((done) => allowedSilenceMs(at(done === 1 ? 1 : 0, 1, done * 4 * GB, 4 * GB)));
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeLessThanOrEqual(waits[i - 1]!);
    expect(waits.at(-1)).toBe(baseMs);
  });

  it.each([
    ['totalbytes 0 (sizes unknown, or empty files)', at(0, 3, 0, 0)],
    ['bytes beyond the total (progress going backwards or totals changing)', at(1, 3, 50 * GB, 20 * GB)],
    ['a finished job', at(3, 3, 30 * GB, 30 * GB)],
    ['a rate of 0 or less', at(1, 3, 0, 0, 0)],
  ])('falls back to the base for %s', (_what, evidence) => {
    expect(allowedSilenceMs(evidence)).toBe(baseMs);
  });

  it('never assumes a pace below minPaceBytesPerSecond, however slow the observed rate', () => {
    expect(allowedSilenceMs(at(0, 2, 1, 10 * MB + 1, 0.001))).toBe(Math.ceil((10 * MB / minPaceBytesPerSecond) * 1000));
  });

  it('is always finite, so a dead job always ends', () => {
    for (const evidence of [at(0, 1, 0, Number.MAX_SAFE_INTEGER), at(0, 1, 0, Number.MAX_SAFE_INTEGER, 1e-9), at(0, 2, 0, 2 ** 53, Number.MIN_VALUE)]) {
      expect(Number.isFinite(allowedSilenceMs(evidence))).toBe(true);
    }
  });
});
