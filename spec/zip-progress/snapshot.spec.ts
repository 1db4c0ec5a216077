import { estimateRate } from '../../lib/zip-progress/rate.js';
import { isZipDone, progressFraction, sameCounts } from '../../lib/zip-progress/snapshot.js';

const counts = (files: number, totalfiles: number, bytes: number, totalbytes: number) => ({ files, totalfiles, bytes, totalbytes });

describe('progressFraction', () => {
  it('measures by bytes', () => {
    expect(progressFraction(counts(1, 4, 50, 200))).toBe(0.25);
  });
  it('falls back to files when the byte total is 0', () => {
    expect(progressFraction(counts(1, 4, 0, 0))).toBe(0.25);
  });
  it('is 1 when both totals are 0 and when done', () => {
    expect(progressFraction(counts(0, 0, 0, 0))).toBe(1);
    expect(progressFraction(counts(4, 4, 10, 200))).toBe(1);
  });
  it('stays within 0..1 when bytes overshoot the total', () => {
    expect(progressFraction(counts(1, 4, 500, 200))).toBe(1);
  });
});

describe('isZipDone / sameCounts', () => {
  it('is done when files reach totalfiles, 0 of 0 included', () => {
    expect(isZipDone(counts(3, 3, 0, 9))).toBe(true);
    expect(isZipDone(counts(4, 3, 0, 9))).toBe(true);
    expect(isZipDone(counts(0, 0, 0, 0))).toBe(true);
    expect(isZipDone(counts(2, 3, 9, 9))).toBe(false);
  });
  it('compares the four counters only', () => {
    expect(sameCounts(counts(1, 2, 3, 4), counts(1, 2, 3, 4))).toBe(true);
    expect(sameCounts(counts(1, 2, 3, 4), counts(1, 2, 3, 5))).toBe(false);
  });
});

describe('estimateRate', () => {
  const first = { atMs: 1000, files: 0, bytes: 0 };
  it('is undefined until bytes have moved over time', () => {
    expect(estimateRate(first, 1000, counts(0, 10, 0, 100))).toEqual({ bytesPerSecond: undefined, etaMs: undefined });
    expect(estimateRate(first, 3000, counts(0, 10, 0, 100))).toEqual({ bytesPerSecond: undefined, etaMs: undefined });
  });
  it('averages since the first sample and projects the remaining bytes', () => {
    expect(estimateRate(first, 3000, counts(5, 10, 1000, 4000))).toEqual({ bytesPerSecond: 500, etaMs: 6000 });
  });
  it('projects remaining files when the byte total is 0', () => {
    expect(estimateRate(first, 3000, counts(5, 10, 0, 0))).toEqual({ bytesPerSecond: undefined, etaMs: 2000 });
  });
  it('says 0 ms to go once done', () => {
    expect(estimateRate(first, 3000, counts(10, 10, 4000, 4000)).etaMs).toBe(0);
  });
});
