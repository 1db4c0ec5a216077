import { firstValueFrom, take } from 'rxjs';
import { PCloudApiError, PCloudErrorCode, ProgressTimeoutError, ResponseDecodeError, TransportError, zipProgress$ } from '../../lib/index.js';
import { collect } from '../support/collect.js';
import { progressBody, type ScriptedServer, startScriptedServer } from '../support/scripted-server.js';
import { sleep } from '../support/wait.js';

/** Integration: a real HTTP server on 127.0.0.1:0, real ky/fetch, short real waits. */
describe('zipProgress$ over HTTP', () => {
  let server: ScriptedServer;
  const token = 'tok-SECRET-1234567890';
  const fast = { initialDelay: 5, maxDelay: 20, factor: 2, jitter: 'none' } as const;
  const watch = (extra: Record<string, unknown> = {}) =>
    zipProgress$({ progresshash: 'hash-1', auth: token, apiUrl: server.url, backoff: fast, ...extra });

  beforeEach(async () => {
    server = await startScriptedServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('POSTs a form body with progresshash and auth, nothing in the URL', async () => {
    server.script({ body: progressBody(1, 1, 5, 5) });
    await collect(watch());
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/savezipprogress' });
    expect(request!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({ progresshash: 'hash-1', auth: token });
    expect(request!.headers.authorization).toBeUndefined();
  });

  it('sends an OAuth token as a Bearer header, not in the body', async () => {
    server.script({ body: progressBody(1, 1, 5, 5) });
    await collect(zipProgress$({ progresshash: 'h', accessToken: token, apiUrl: server.url }));
    const [request] = server.requests;
    expect(request!.headers.authorization).toBe(`Bearer ${token}`);
    expect(request!.body).toBe('progresshash=h');
  });

  it('keeps a path prefix of apiUrl', async () => {
    server.script({ body: progressBody(1, 1, 5, 5) });
    await collect(zipProgress$({ progresshash: 'h', auth: token, apiUrl: `${server.url}/proxy/pcloud/` }));
    expect(server.requests[0]!.url).toBe('/proxy/pcloud/savezipprogress');
  });

  it('is cold: nothing is sent before subscribe', async () => {
    const stream = watch();
    await sleep(30);
    expect(server.requests).toHaveLength(0);
    await collect(stream);
    expect(server.requests).toHaveLength(1);
  });

  it('emits each change once, with derived fields, and completes at files = totalfiles without another request', async () => {
    server.script(
      { body: progressBody(0, 3, 0, 300) },
      { body: progressBody(0, 3, 0, 300) },
      { body: progressBody(1, 3, 100, 300) },
      { body: progressBody(1, 3, 100, 300) },
      { body: progressBody(3, 3, 300, 300) },
    );
    const outcome = await collect(watch());
    expect(outcome.completed).toBe(true);
    expect(outcome.values.map((p) => [p.files, p.fraction, p.done])).toEqual([
      [0, 0, false],
      [1, 1 / 3, false],
      [3, 1, true],
    ]);
    const last = outcome.values[2]!;
    expect(last.etaMs).toBe(0);
    expect(last.bytesPerSecond).toBeGreaterThan(0);
    expect(last.elapsedMs).toBeGreaterThanOrEqual(outcome.values[1]!.elapsedMs);
    await sleep(50);
    expect(server.requests).toHaveLength(5);
  });

  it('completes at once for an empty job (0 of 0)', async () => {
    server.script({ body: progressBody(0, 0, 0, 0) });
    const outcome = await collect(watch());
    expect(outcome).toMatchObject({ completed: true, values: [{ done: true, fraction: 1 }] });
  });

  it.each([
    [PCloudErrorCode.LoginRequired, 'Log in required.'],
    [PCloudErrorCode.LoginFailed, 'Log in failed.'],
    [PCloudErrorCode.InvalidAccessToken, "Invalid 'access_token' provided."],
    [7777, 'Something new'],
  ])('fails at once on %i with PCloudApiError', async (code, text) => {
    server.script({ body: { result: code, error: text } });
    const outcome = await collect(watch());
    expect(outcome.error).toBeInstanceOf(PCloudApiError);
    expect(outcome.error).toMatchObject({ code, method: 'savezipprogress', name: 'PCloudApiError' });
    expect((outcome.error as Error).message).toContain(text);
    expect(server.requests).toHaveLength(1);
  });

  it('treats 1901 as "not registered yet" until progress appears, and as fatal after', async () => {
    const notFound = { body: { result: 1901, error: 'Zip not found' } };
    server.script(notFound, notFound, { body: progressBody(1, 2, 1, 2) }, notFound);
    const outcome = await collect(watch());
    expect(outcome.values).toHaveLength(1);
    expect(outcome.error).toMatchObject({ code: 1901 });
    expect(server.requests).toHaveLength(4);
  });

  it('fails on 1901 once notFoundGrace has passed', async () => {
    server.script({ body: { result: 1901, error: 'Zip not found' } });
    // 400 ms: room for several fast polls even when one request is slow under load (with 40 ms,
    // one poll on Node 22 in CI outlasted the grace by itself).
    const started = Date.now();
    const outcome = await collect(watch({ notFoundGrace: 400 }));
    expect(outcome.error).toMatchObject({ code: 1901 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(server.requests.length).toBeGreaterThan(1);
  });

  it.each([
    ['5000', { body: { result: 5000, error: 'Internal error. Try again later.' } }],
    ['5002', { body: { result: 5002, error: 'Internal error, no servers available. Try again later.' } }],
    // Rate limiting, waited out (api.txt: 4xxx "should be possible to retry ... at a later stage").
    ['4000', { body: { result: 4000, error: 'Too many login tries from this IP address.' } }],
    ['HTTP 502 with HTML', { status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } }],
    ['HTTP 503', { status: 503, body: '' }],
    ['a dropped connection', { drop: true }],
  ])('recovers from a transient %s', async (_what, failure) => {
    server.script(failure, { body: progressBody(2, 2, 2, 2) });
    const outcome = await collect(watch());
    expect(outcome.completed).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('fails with the last error after maxRetries transient failures in a row', async () => {
    server.script({ status: 503, body: 'busy' });
    const outcome = await collect(watch({ maxRetries: 2 }));
    expect(outcome.error).toBeInstanceOf(TransportError);
    expect(outcome.error).toMatchObject({ kind: 'http', status: 503, transient: true });
    expect(server.requests).toHaveLength(3);
  });

  it('fails at once on a non-retryable HTTP status', async () => {
    server.script({ status: 403, body: 'Forbidden' });
    const outcome = await collect(watch());
    expect(outcome.error).toMatchObject({ name: 'TransportError', status: 403, transient: false });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses to follow a redirect', async () => {
    server.script({ status: 307, headers: { location: 'http://127.0.0.2:1/steal' } });
    const outcome = await collect(watch());
    expect(outcome.error).toMatchObject({ name: 'TransportError', kind: 'redirect', status: 307 });
    expect(server.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429, even above maxDelay', async () => {
    server.script({ status: 429, headers: { 'retry-after': '1' } }, { body: progressBody(1, 1, 1, 1) });
    const outcome = await collect(watch());
    expect(outcome.completed).toBe(true);
    const gap = outcome.values[0]!.elapsedMs;
    expect(gap).toBeGreaterThanOrEqual(1000);
  });

  it('fails a malformed body with ResponseDecodeError', async () => {
    server.script({ body: '{"result":0,"files":"3"' });
    const outcome = await collect(watch());
    expect(outcome.error).toBeInstanceOf(ResponseDecodeError);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a slow request (requestTimeout), retries it, and the server sees the first one closed', async () => {
    server.script({ hang: true }, { body: progressBody(1, 1, 1, 1) });
    const outcome = await collect(watch({ requestTimeout: 50 }));
    expect(outcome.completed).toBe(true);
    // Resolves once the server saw the first request's connection close before it answered.
    await server.waitForClose(1);
  });

  it('gives up on a stuck job with ProgressTimeoutError carrying the last snapshot', async () => {
    server.script({ body: progressBody(1, 5, 10, 50) });
    const stall = await collect(watch({ stallTimeout: 80 }));
    expect(stall.error).toBeInstanceOf(ProgressTimeoutError);
    expect(stall.error).toMatchObject({ reason: 'stall', lastProgress: { files: 1, totalfiles: 5 } });
    const deadline = await collect(watch({ timeout: 80 }));
    expect(deadline.error).toMatchObject({ reason: 'deadline', lastProgress: { files: 1 } });
  });

  it('takes every duration option of 30 days without a TimeoutOverflowWarning or an early timer (real timers)', async () => {
    const days30 = 30 * 86_400_000;
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on('warning', onWarning);
    try {
      // A slow answer (the request timer must not fire at once), then a job that stays put.
      server.script({ body: progressBody(1, 5, 10, 50), delayMs: 40 });
      const durations = { requestTimeout: days30, timeout: days30, stallTimeout: days30, notFoundGrace: days30, backoff: () => days30 };
      const subscription = watch(durations).subscribe({
        error: (e: unknown) => {
          warnings.push(`stream failed: ${String(e)}`);
        },
      });
      await server.waitForRequests(1);
      await sleep(150);
      subscription.unsubscribe();
      await sleep(10); // a warning is emitted on the next tick
      expect(warnings).toEqual([]);
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]!.closedEarly).toBe(false);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('aborts the request in flight on unsubscribe; the server sees the connection close and nothing follows', async () => {
    server.script({ hang: true });
    const subscription = watch().subscribe();
    await server.waitForRequests(1);
    subscription.unsubscribe();
    await server.waitForClose(1);
    await sleep(50);
    expect(server.requests).toHaveLength(1);
  });

  it('errors with AbortError when the signal aborts mid-request, and sends nothing after', async () => {
    server.script({ hang: true });
    const controller = new AbortController();
    const outcome = collect(watch({ signal: controller.signal }));
    await server.waitForRequests(1);
    controller.abort();
    const { error } = await outcome;
    expect(error).toMatchObject({ name: 'AbortError' });
    await server.waitForClose(1);
    expect(server.requests).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const outcome = await collect(watch({ signal: AbortSignal.abort() }));
    expect(outcome.error).toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(0);
  });

  it('each subscription polls on its own', async () => {
    server.script({ body: progressBody(0, 2, 0, 2) });
    const stream = watch();
    await Promise.all([firstValueFrom(stream.pipe(take(1))), firstValueFrom(stream.pipe(take(1)))]);
    expect(server.requests).toHaveLength(2);
  });

  it('never puts the token in an error, even when the server echoes it', async () => {
    server.script({ body: { result: 2000, error: `Log in failed: auth=${token}` } });
    const { error } = await collect(watch());
    const text = [String(error), (error as Error).message, JSON.stringify(error), (error as Error).stack].join('\n');
    expect(text).not.toContain(token);
  });
});
