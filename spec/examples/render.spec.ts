import { Writable } from 'node:stream';
import fc from 'fast-check';
import { formatEta, progressLine, progressView, waitLine, waitLineFor } from '../../examples/demo/render.js';
import { PCloudApiError, TransportError, type ZipProgress, type ZipWaitEvent } from '../../lib/index.js';

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

function retrying(error: PCloudApiError | TransportError, delayMs = 12_000, attempt = 2): ZipWaitEvent {
  return { type: 'retrying', error, attempt, maxRetries: 5, delayMs };
}

const http503 = new TransportError({ kind: 'http', method: 'savezipprogress', message: 'HTTP 503 <html>proxy page</html>', transient: true, status: 503, retryAfterMs: 12_000 });

describe('waitLine (what the demo says while polling waits)', () => {
  it.each([
    ['retrying in 12 s: HTTP 503 from api7.pcloud.com (attempt 2 of 5)', retrying(http503)],
    ['retrying in 1 s: connection lost from api7.pcloud.com (attempt 1 of 5)', retrying(new TransportError({ kind: 'network', method: 'savezipprogress', message: 'fetch failed', transient: true }), 1000, 1)],
    ['retrying in 4 s: no answer in time from api7.pcloud.com (attempt 3 of 5)', retrying(new TransportError({ kind: 'timeout', method: 'savezipprogress', message: 'no answer within 30000 ms', transient: true }), 4000, 3)],
    ['retrying in 60 s: pCloud error 4000 (rate limited) from api7.pcloud.com (attempt 1 of 5)', retrying(new PCloudApiError({ code: 4000, method: 'savezipprogress', message: 'Too many login tries from this IP address.', transient: true }), 60_000, 1)],
    ['retrying in 3 s: pCloud error 5000 (server error) from api7.pcloud.com (attempt 5 of 5)', retrying(new PCloudApiError({ code: 5000, method: 'savezipprogress', message: 'Internal error. Try again later.', transient: true }), 2500, 5)],
    ['waiting for pCloud to register the zip (next check in 1 s)', { type: 'waiting', reason: 'not-registered', delayMs: 1000 }],
    ['paused (no checks until resumed)', { type: 'paused' }],
    ['resumed', { type: 'resumed' }],
  ] satisfies Array<[string, ZipWaitEvent]>)('%s', (line, event) => {
    expect(waitLine(event, 'api7.pcloud.com')).toBe(line);
  });

  it('counts down in whole seconds rounded up, and says "now" once the wait is over', () => {
    expect(waitLine(retrying(http503), 'h', 11_000)).toBe('retrying in 11 s: HTTP 503 from h (attempt 2 of 5)');
    expect(waitLine(retrying(http503), 'h', 10_001)).toBe('retrying in 11 s: HTTP 503 from h (attempt 2 of 5)');
    expect(waitLine(retrying(http503), 'h', 0)).toBe('retrying now: HTTP 503 from h (attempt 2 of 5)');
    expect(waitLine(retrying(http503), 'h', -40)).toBe('retrying now: HTTP 503 from h (attempt 2 of 5)');
    expect(waitLine({ type: 'waiting', reason: 'not-registered', delayMs: 1000 }, 'h', 0)).toBe('waiting for pCloud to register the zip (checking now)');
  });

  it('never shows the error message (server text, anything a message may carry)', () => {
    const error = new PCloudApiError({ code: 5003, method: 'savezipprogress', message: 'Write error. Try reuploading. secret-ish server text', transient: true });
    const line = waitLine(retrying(error), 'api.pcloud.com');
    expect(line).toBe('retrying in 12 s: pCloud error 5003 (server error) from api.pcloud.com (attempt 2 of 5)');
    expect(waitLine(retrying(http503), 'h')).not.toContain('proxy page');
  });

  it('drops the host before the attempt count on a narrow terminal, and cuts only what still does not fit', () => {
    const event = retrying(new PCloudApiError({ code: 5000, method: 'savezipprogress', message: 'x', transient: true }));
    expect(waitLineFor(event, 'api7.pcloud.com', 12_000, 120)).toBe('retrying in 12 s: pCloud error 5000 (server error) from api7.pcloud.com (attempt 2 of 5)');
    expect(waitLineFor(event, 'api7.pcloud.com', 12_000, 80)).toBe('retrying in 12 s: pCloud error 5000 (server error) (attempt 2 of 5)');
    expect(waitLineFor(event, 'api7.pcloud.com', 12_000, 30)).toBe('retrying in 12 s: pCloud erro');
  });
});

/** A terminal 100 columns wide that keeps what was written. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  let written = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  return { stream: Object.assign(stream, { isTTY: true, columns: 100 }) as unknown as NodeJS.WriteStream, text: () => written };
}

describe('progressView on a terminal', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('draws the wait line in the bar\'s place, counts down each second, and gives the line back to the bar', () => {
    const terminal = fakeTerminal();
    const view = progressView(terminal.stream);
    view.update(snapshot({ fraction: 0.25, files: 1, totalfiles: 4 }));
    view.wait(retrying(http503, 3000, 1), '127.0.0.1:4567');
    // cli-progress redraws on its own timer, at most every 100 ms.
    jest.advanceTimersByTime(200);
    expect(terminal.text()).toContain('retrying in 3 s: HTTP 503 from 127.0.0.1:4567 (attempt 1 of 5)');
    jest.advanceTimersByTime(1000);
    expect(terminal.text()).toContain('retrying in 2 s: HTTP 503');
    jest.advanceTimersByTime(2000);
    expect(terminal.text()).toContain('retrying now: HTTP 503');
    view.update(snapshot({ fraction: 0.5, files: 2, totalfiles: 4 }));
    jest.advanceTimersByTime(200);
    const after = terminal.text().slice(terminal.text().lastIndexOf('retrying now'));
    expect(after).toMatch(/ 50% █+░+ 2\/4 files/);
    // Never a newline: each line overwrites the previous one.
    expect(terminal.text()).not.toContain('\n');
    view.stop();
  });

  it('stops the countdown at the next event and at stop(): no timer is left behind', () => {
    const terminal = fakeTerminal();
    const view = progressView(terminal.stream);
    view.wait(retrying(http503, 12_000, 1), 'h');
    view.update(snapshot({ fraction: 0.5, files: 2, totalfiles: 4 }));
    const before = terminal.text();
    jest.advanceTimersByTime(5000);
    expect(terminal.text().slice(before.length)).not.toContain('retrying');
    view.wait({ type: 'waiting', reason: 'not-registered', delayMs: 30_000 }, 'h');
    view.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});
