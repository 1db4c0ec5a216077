/**
 * The web demo's texts, without a browser: readable units and the status line of a wait
 * (examples/browser/format.ts), and the title and hint shown for each error
 * (examples/browser/explain.ts).
 */
import { explainError, type ZipTarget } from '../../examples/browser/explain.js';
import { formatBytes, formatDuration, formatPercent, formatRate, progressTexts, retryReason, waitParts, waitText } from '../../examples/browser/format.js';
import { parseWebDemoConfig } from '../../examples/browser/config.js';
import { PCloudApiError, PCloudErrorCode, ProgressTimeoutError, ResponseDecodeError, TransportError } from '../../lib/index.js';
import type { ZipProgress } from '../../lib/index.js';

describe('readable units', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [8_000, '7.8 KB'],
    [150 * 1024, '150 KB'],
    [1.5 * 1024 * 1024, '1.5 MB'],
    [3.2 * 1024 ** 3, '3.2 GB'],
    [-5, '0 B'],
  ])('formatBytes(%p) = %p', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [undefined, '—'],
    [Infinity, '—'],
    [0, 'under 1 s'],
    [1, '1 s'],
    [999, '1 s'],
    [42_000, '42 s'],
    [59_001, '1 min 00 s'],
    [185_000, '3 min 05 s'],
    [3_840_000, '1 h 04 min'],
  ])('formatDuration(%p) = %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('rates per second, unknown as a dash; percentages floored and clamped', () => {
    expect(formatRate(870_400)).toBe('850 KB/s');
    expect(formatRate(undefined)).toBe('—');
    expect(formatPercent(0.996)).toBe('99%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(1.2)).toBe('100%');
    expect(formatPercent(-0.1)).toBe('0%');
  });

  it('a snapshot in the page\'s words', () => {
    const progress: ZipProgress = { files: 1200, totalfiles: 3000, bytes: 5 * 1024 * 1024, totalbytes: 20 * 1024 * 1024, fraction: 0.25, done: false, elapsedMs: 4000, bytesPerSecond: 1024 * 1024, etaMs: 15_000 };
    expect(progressTexts(progress)).toEqual({ percent: '25%', files: '1,200 of 3,000', bytes: '5.0 MB of 20.0 MB', rate: '1.0 MB/s', eta: '15 s' });
    expect(progressTexts({ ...progress, files: 3000, done: true, etaMs: 0 }).eta).toBe('done');
  });
});

describe('waits: a status line while the polling retries, waits or is paused', () => {
  const host = 'api.pcloud.com';
  const http503 = new TransportError({ kind: 'http', method: 'savezipprogress', message: 'HTTP 503 <html>server text</html>', transient: true, status: 503, retryAfterMs: 12_000 });
  const retrying = { type: 'retrying', error: http503, attempt: 2, maxRetries: 5, delayMs: 12_000 } as const;

  it('a retry: the reason, a countdown rounded up, the attempt of the maximum', () => {
    expect(waitText(retrying, 12_000, host)).toBe('Reconnecting… HTTP 503 from api.pcloud.com — retrying in 12 s (attempt 2 of 5)');
    expect(waitText(retrying, 10_001, host)).toBe('Reconnecting… HTTP 503 from api.pcloud.com — retrying in 11 s (attempt 2 of 5)');
    expect(waitText(retrying, 400, host)).toBe('Reconnecting… HTTP 503 from api.pcloud.com — retrying in 1 s (attempt 2 of 5)');
    expect(waitText(retrying, 0, host)).toBe('Reconnecting… HTTP 503 from api.pcloud.com — retrying now (attempt 2 of 5)');
    expect(waitText(retrying, -30, host)).toBe('Reconnecting… HTTP 503 from api.pcloud.com — retrying now (attempt 2 of 5)');
    expect(waitText({ ...retrying, delayMs: 185_000 }, 185_000, host)).toContain('retrying in 3 min 05 s');
  });

  it('in parts: only the countdown changes while a retry waits, the reason and the attempt stay (what a screen reader hears)', () => {
    const parts = [12_000, 11_000, 400, 0].map((left) => waitParts(retrying, left, host));
    expect(parts.map((part) => part.countdown)).toEqual([' — retrying in 12 s', ' — retrying in 11 s', ' — retrying in 1 s', ' — retrying now']);
    expect(new Set(parts.map((part) => part.head + part.tail))).toEqual(new Set(['Reconnecting… HTTP 503 from api.pcloud.com (attempt 2 of 5)']));
    for (const [left, part] of [12_000, 11_000, 400, 0].map((ms, i) => [ms, parts[i]!] as const)) {
      expect(part.head + part.countdown + part.tail).toBe(waitText(retrying, left, host));
    }
    expect(waitParts({ ...retrying, attempt: 3 }, 12_000, host).tail).toBe(' (attempt 3 of 5)');
    expect(waitParts({ type: 'paused' }, 0, host)).toEqual({ head: 'Paused (tab hidden)', countdown: '', tail: '' });
  });

  it.each([
    [http503, 'HTTP 503 from api.pcloud.com'],
    [new TransportError({ kind: 'http', method: 'savezipprogress', message: 'HTTP', transient: true }), 'HTTP error from api.pcloud.com'],
    [new TransportError({ kind: 'network', method: 'savezipprogress', message: 'network failure', transient: true }), 'connection to api.pcloud.com lost'],
    [new TransportError({ kind: 'timeout', method: 'savezipprogress', message: 'timed out', transient: true }), 'no answer from api.pcloud.com in time'],
    [new TransportError({ kind: 'redirect', method: 'savezipprogress', message: 'redirected', transient: false, status: 302 }), 'redirect from api.pcloud.com'],
    [new PCloudApiError({ code: 5000, method: 'savezipprogress', message: 'Internal error, try again later.', transient: true }), 'pCloud error 5000 from api.pcloud.com'],
    [new PCloudApiError({ code: 4000, method: 'savezipprogress', message: 'Too many login tries', transient: true }), 'pCloud error 4000 from api.pcloud.com (rate limited)'],
    [new PCloudApiError({ code: 4001, method: 'savezipprogress', message: 'rate', transient: true }), 'pCloud error 4001 from api.pcloud.com (rate limited)'],
  ])('the reason of %p: %p, never the server\'s text', (error, reason) => {
    expect(retryReason(error, host)).toBe(reason);
    expect(waitText({ ...retrying, error }, 1_000, host)).toBe(`Reconnecting… ${reason} — retrying in 1 s (attempt 2 of 5)`);
  });

  it('waiting for the job, and a pause of a hidden tab', () => {
    expect(waitText({ type: 'waiting', reason: 'not-registered', delayMs: 500 }, 500, host)).toBe('Waiting for pCloud to register the zip…');
    expect(waitText({ type: 'paused' }, 0, host)).toBe('Paused (tab hidden)');
  });
});

describe('errors: a title and a hint of what to do', () => {
  const account: ZipTarget = { apiUrl: 'https://api.pcloud.com', topath: '/backups/photos.zip', emulator: false };
  const emulator: ZipTarget = { apiUrl: 'http://127.0.0.1:8080', topath: '/demo.zip', emulator: true };
  const api = (code: number, transient = false): PCloudApiError => new PCloudApiError({ code, method: 'savezip', message: 'text', transient });

  it.each([
    [PCloudErrorCode.LoginRequired, 'Not logged in', /Enter your pCloud auth token/],
    [PCloudErrorCode.LoginFailed, 'Log in failed', /wrong or expired, or the account lives in the other region: EU accounts use https:\/\/eapi\.pcloud\.com/],
    [PCloudErrorCode.InvalidAccessToken, 'Token not accepted', /log in again/],
    [PCloudErrorCode.TooManyLoginTries, 'Too many login attempts', /waited and retried. The zip may still finish/],
    [PCloudErrorCode.AlreadyExists, 'The zip already exists', /already saved at \/backups\/photos\.zip/],
    [PCloudErrorCode.DirectoryNotFound, 'Folder not found', /check the folder id/],
    [PCloudErrorCode.ParentNotFound, 'Destination folder missing', /folder of \/backups\/photos\.zip does not exist/],
    [PCloudErrorCode.AccessDenied, 'Access denied', /permissions/],
    [PCloudErrorCode.OverQuota, 'Not enough space', /free some space/],
    [PCloudErrorCode.ZipNotFound, 'Zip job lost', /start it again/],
    [7777, 'pCloud refused (7777)', /try again/],
  ])('PCloudApiError %p on an account', (code, title, hint) => {
    const explained = explainError(api(code), account);
    expect(explained.title).toBe(title);
    expect(explained.hint).toMatch(hint);
    expect(explained.detail).toBe(`PCloudApiError: pCloud savezip failed with ${code}: text`);
  });

  it('a retried-out transient code says pCloud is busy', () => {
    expect(explainError(api(PCloudErrorCode.InternalError, true), account).title).toBe('pCloud is busy');
  });

  it('on the emulator, a login failure and a network failure point at the demo, not at regions', () => {
    expect(explainError(api(PCloudErrorCode.LoginFailed), emulator).hint).toMatch(/^The emulator does not know this token/);
    const network = new TransportError({ kind: 'network', method: 'savezip', message: 'network failure', transient: true });
    expect(explainError(network, emulator).title).toBe('Cannot reach the server');
    expect(explainError(network, emulator).hint).toContain('npm run demo:web');
    expect(explainError(network, account).hint).toMatch(/^No answer from https:\/\/api\.pcloud\.com/);
  });

  it.each([
    [new TransportError({ kind: 'timeout', method: 'savezipprogress', message: 'timed out', transient: true }), 'The server is too slow'],
    [new TransportError({ kind: 'http', method: 'savezip', message: 'HTTP 502', transient: true, status: 502 }), 'HTTP error 502'],
    [new TransportError({ kind: 'redirect', method: 'savezip', message: 'redirected', transient: false, status: 301 }), 'Unexpected redirect'],
    [new ProgressTimeoutError({ reason: 'stall', timeoutMs: 900_000, lastProgress: undefined }), 'The zip stalled'],
    [new ProgressTimeoutError({ reason: 'deadline', timeoutMs: 60_000, lastProgress: undefined }), 'The zip took too long'],
    [new TypeError('saveZip$: topath must be a string'), 'Invalid settings'],
    [new Error('odd'), 'Something went wrong'],
  ])('%p', (error, title) => {
    const explained = explainError(error, account);
    expect(explained.title).toBe(title);
    expect(explained.hint.length).toBeGreaterThan(10);
    expect(explained.detail).toBe(`${error.name}: ${error.message}`);
  });

  it('a body that is not pCloud\'s points at the API host', () => {
    const decode = new ResponseDecodeError({ method: 'savezipprogress', paths: ['files'], problems: ['files is not a number'], excerpt: '<html>', status: 200 });
    expect(explainError(decode, account).title).toBe('Not a pCloud answer');
    expect(explainError(decode, account).hint).toContain('https://api.pcloud.com');
  });
});

describe('config.json', () => {
  const valid = { apiUrl: 'http://127.0.0.1:1', auth: 't', folderid: 1, folderPath: '/demo', topath: '/demo.zip', files: 3, bytes: 10 };

  it('accepts the demo server\'s body and names the first bad field otherwise', () => {
    expect(parseWebDemoConfig(valid)).toEqual(valid);
    expect(() => parseWebDemoConfig(null)).toThrow('config.json is not an object');
    expect(() => parseWebDemoConfig({ ...valid, auth: 1 })).toThrow('config.json: auth must be a string');
    expect(() => parseWebDemoConfig({ ...valid, folderid: '1' })).toThrow('config.json: folderid must be a number');
  });
});
