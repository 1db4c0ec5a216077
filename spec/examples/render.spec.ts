import fc from 'fast-check';
import { formatEta, progressLine } from '../../examples/demo/render.js';
import type { ZipProgress } from '../../lib/index.js';

const GB = 1024 ** 3;
const MB = 1024 ** 2;

function snapshot(over: Partial<ZipProgress>): ZipProgress {
  return { files: 0, totalfiles: 0, bytes: 0, totalbytes: 0, fraction: 0, done: false, elapsedMs: 0, bytesPerSecond: undefined, etaMs: undefined, ...over };
}

const typical = snapshot({ fraction: 0.63, files: 512, totalfiles: 1024, bytes: 1.2 * GB, totalbytes: 2 * GB, bytesPerSecond: 24.5 * MB, etaMs: 65_000 });
// The widest values a zip can show: millions of files, terabytes, a rate over 1000 units, hours.
const widest = snapshot({ fraction: 0.999, files: 1_234_567, totalfiles: 9_876_543, bytes: 1023.9 * GB, totalbytes: 1023.9 * GB, bytesPerSecond: 1023.9 * MB, etaMs: 99 * 3600_000 + 59 * 60_000 });

describe('progressLine (the terminal bar)', () => {
  it('lays out a typical snapshot in an 80-column terminal, rate and ETA included', () => {
    const line = progressLine(typical, 80);
    expect(line).toBe(` 63% ${'█'.repeat(10)}${'░'.repeat(7)}   512/1,024 files  1.2 GB/2.0 GB   24.5 MB/s  ETA 1m 05s`);
    expect(line.length).toBeLessThanOrEqual(79);
  });

  it('shrinks the bar first, then the spacing, and keeps every number for the widest values', () => {
    const line = progressLine(widest, 80);
    expect(line.length).toBeLessThanOrEqual(79);
    expect(line).toMatch(/^ 99% █+░* 1,234,567\/9,876,543 1023\.9 GB\/1023\.9 GB 1023\.9 MB\/s ETA 99h 59m$/);
    expect(line.match(/[█░]/g)?.length).toBeGreaterThanOrEqual(8);
  });

  it('keeps the bar the same size while the numbers of a job change (no jitter)', () => {
    const cells = (p: ZipProgress): number => progressLine(p, 80).match(/[█░]/g)?.length ?? 0;
    const at = (files: number, bytes: number, rate: number | undefined, etaMs: number | undefined): ZipProgress =>
      snapshot({ files, totalfiles: 1024, bytes, totalbytes: 2 * GB, fraction: bytes / (2 * GB), bytesPerSecond: rate, etaMs });
    const sizes = [at(0, 0, undefined, undefined), at(7, 900, 900, 3_600_000), at(512, 1.2 * GB, 24.5 * MB, 65_000), at(1000, 1.99 * GB, 512 * 1024, 9_000)].map(cells);
    expect(new Set(sizes)).toEqual(new Set([sizes[0]]));
  });

  it('never grows the bar past 30 cells on a wide terminal', () => {
    expect(progressLine(typical, 200).match(/[█░]/g)).toHaveLength(30);
  });

  it('drops the bar, then cuts the end, on terminals too narrow for it', () => {
    expect(progressLine(widest, 70)).toBe(' 99% 1,234,567/9,876,543 1023.9 GB/1023.9 GB 1023.9 MB/s ETA 99h 59m');
    expect(progressLine(widest, 30)).toHaveLength(29);
  });

  it('shows unknown rate and ETA as such, and a full bar at 100%', () => {
    expect(progressLine(snapshot({ files: 0, totalfiles: 3 }), 80)).toMatch(/^ {2}0% ░+ 0\/3 files {2}0 B\/0 B +\?\/s {2}ETA \?$/);
    expect(progressLine(snapshot({ fraction: 1, files: 3, totalfiles: 3, etaMs: 0, done: true }), 80)).toMatch(/^100% █{30} 3\/3 files .* ETA 0s$/);
  });

  it('fits any realistic snapshot in 79 columns of an 80-column terminal, rate and ETA whole', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9_999_999 }),
        fc.integer({ min: 0, max: 9_999_999 }),
        fc.double({ min: 0, max: 1023 * 1024 ** 4, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 1023 * 1024 ** 3, noNaN: true }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 999 * 3600_000 }), { nil: undefined }),
        (files, more, bytes, rate, eta) => {
          const p = snapshot({ files, totalfiles: files + more, bytes, totalbytes: bytes * 2, fraction: files / (files + more || 1), bytesPerSecond: rate, etaMs: eta });
          const line = progressLine(p, 80);
          expect(line.length).toBeLessThanOrEqual(79);
          expect(line.endsWith(`ETA ${formatEta(eta)}`)).toBe(true);
        },
      ),
    );
  });
});

describe('formatEta', () => {
  it.each([
    [undefined, '?'],
    [0, '0s'],
    [44_600, '45s'],
    [65_000, '1m 05s'],
    [3_599_000, '59m 59s'],
    [7_380_000, '2h 03m'],
  ])('%p ms -> %p', (ms, text) => {
    expect(formatEta(ms)).toBe(text);
  });
});
