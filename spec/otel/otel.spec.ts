import { context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { lastValueFrom, toArray } from 'rxjs';
import { PCloudApiError, saveZip$, type SaveZipEvent, type SaveZipOptions, TransportError, zipProgressEvents$ } from '../../lib/index.js';
import { traceSaveZip, traceZipProgress } from '../../lib/otel/node.js';
import { type FakePCloud, type FakeUser, startFakePCloud } from '../../lib/testing/index.js';
import { seedFolder } from '../support/seed.js';
import { waitFor } from '../support/wait.js';
import { sumWhere, type TestTelemetry, testTelemetry } from './telemetry.js';

/**
 * pcloud-zip-progress/otel against the emulator over real HTTP, with an in-memory SDK: the job
 * span and its request spans, retries, failures, metrics, no credential anywhere, nothing
 * without an SDK, and one connection pool per account by default (the Node build).
 */
describe('pcloud-zip-progress/otel', () => {
  let fake: FakePCloud;
  let user: FakeUser;
  let folderid: number;
  let otel: TestTelemetry;

  beforeEach(async () => {
    fake = await startFakePCloud({ bytesPerSecond: 20_000 });
    user = fake.addUser();
    folderid = seedFolder(user, '/src', 4, 800);
    otel = testTelemetry();
  });
  afterEach(async () => {
    trace.disable();
    metrics.disable();
    context.disable();
    await otel.shutdown();
    await fake.close();
  });

  const backoff = { initialDelay: 20, maxDelay: 50, jitter: 'none' } as const;
  const options = (extra: Partial<SaveZipOptions> = {}): SaveZipOptions => ({ auth: user.auth, apiUrl: fake.url, folderid, topath: '/all.zip', backoff, ...extra });
  const traced = () => traceSaveZip(saveZip$, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider });
  const run = (extra: Partial<SaveZipOptions> = {}, save = traced()): Promise<SaveZipEvent[]> => lastValueFrom(save(options(extra)).pipe(toArray()));
  const failure = (extra: Partial<SaveZipOptions> = {}): Promise<unknown> => run(extra).then(() => new Error('expected a failure'), (error: unknown) => error);
  const jobSpan = (): ReadableSpan => {
    const jobs = otel.spans().filter((s) => s.name.startsWith('pcloud '));
    expect(jobs).toHaveLength(1);
    return jobs[0]!;
  };
  const requestSpans = (): ReadableSpan[] => otel.spans().filter((s) => s.kind === SpanKind.CLIENT);

  it('a saved zip: one INTERNAL job span, each HTTP request a CLIENT span below it, and the metrics', async () => {
    const events = await run();
    expect(events.at(-1)?.type).toBe('saved');

    const job = jobSpan();
    // The poll in flight when savezip answers is aborted: its span ends when fetch rejects, a
    // moment after the job's (and the emulator may not have logged it).
    await waitFor('every request span', () => requestSpans().length === Number(job.attributes['pcloud.zip.polls']) + 2, 2000, 5);
    const requests = requestSpans();
    const polls = requests.filter((s) => s.attributes['pcloud.method'] === 'savezipprogress').length;
    expect(polls).toBeGreaterThanOrEqual(fake.requests.filter((r) => r.method === 'savezipprogress').length);
    expect(polls).toBeGreaterThan(0);
    expect(job.name).toBe('pcloud savezip');
    expect(job.kind).toBe(SpanKind.INTERNAL);
    expect(job.status.code).toBe(SpanStatusCode.UNSET);
    expect(job.attributes).toEqual({
      'pcloud.method': 'savezip',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(fake.url).port),
      'pcloud.zip.outcome': 'done',
      'pcloud.zip.polls': polls,
      'pcloud.zip.retries': 0,
    });

    // One CLIENT span per request (currentserver, savezip, each poll), all children of the job
    // span, named and described by the HTTP conventions.
    expect(requests.filter((s) => s.attributes['pcloud.method'] !== 'savezipprogress').map((s) => s.attributes['pcloud.method']).sort()).toEqual(['currentserver', 'savezip']);
    const answered = requests.filter((s) => s.attributes['pcloud.request.cancelled'] === undefined);
    expect(answered.length).toBeGreaterThanOrEqual(requests.length - 1);
    for (const span of requests) {
      expect(span.parentSpanContext?.spanId).toBe(job.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(job.spanContext().traceId);
      expect(span.name).toBe('POST');
      const common = {
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(fake.url).port),
        'url.full': `${fake.url}/${String(span.attributes['pcloud.method'])}`,
        'pcloud.method': span.attributes['pcloud.method'],
      };
      if (answered.includes(span)) {
        expect(span.attributes).toEqual({ ...common, 'http.response.status_code': 200 });
        expect(span.status.code).toBe(SpanStatusCode.UNSET);
      } else {
        // The last poll, cancelled by savezip's answer: not a failed request (no error.type,
        // no ERROR status), so a successful job shows no red span.
        expect(span.attributes).toEqual({ ...common, 'pcloud.request.cancelled': true });
        expect(span.status.code).toBe(SpanStatusCode.UNSET);
        expect(span.attributes['pcloud.method']).toBe('savezipprogress');
      }
    }

    expect(sumWhere(await otel.metric('http.client.request.duration'), { 'http.request.method': 'POST', 'http.response.status_code': 200 })).toBe(answered.length);
    expect(sumWhere(await otel.metric('http.client.request.duration'), {})).toBe(requests.length);
    expect(sumWhere(await otel.metric('pcloud.zip.polls'), { 'pcloud.method': 'savezip' })).toBe(polls);
    expect(sumWhere(await otel.metric('pcloud.zip.jobs'), { 'pcloud.zip.outcome': 'done' })).toBe(1);
    expect(sumWhere(await otel.metric('pcloud.zip.duration'), { 'pcloud.zip.outcome': 'done' })).toBe(1);
    expect(sumWhere(await otel.metric('pcloud.zip.retries'), {})).toBe(0);
  });

  it('retries: a `retrying` span event each, the failed poll an ERROR request span, and pcloud.zip.retries by reason', async () => {
    // ~2 s of zipping at 20 kB/s: the job outlives the 1 s Retry-After.
    user.writeFile('/src/big.bin', Buffer.alloc(40_000, 7));
    fake.inject('savezipprogress', { type: 'http', status: 503, headers: { 'Retry-After': '1' } });
    fake.inject('savezipprogress', { type: 'api-error', code: 5000 });
    const events = await run({ pinServer: false });
    expect(events.filter((e) => e.type === 'retrying')).toHaveLength(2);
    expect(events.at(-1)?.type).toBe('saved');

    const job = jobSpan();
    expect(job.attributes['pcloud.zip.retries']).toBe(2);
    expect(job.events.map((e) => [e.name, e.attributes])).toEqual([
      ['retrying', { 'error.type': 'TransportError', 'http.response.status_code': 503, 'pcloud.retry.reason': 'http', 'pcloud.retry.attempt': 1, 'pcloud.retry.max_retries': 5, 'pcloud.retry.delay_ms': 1000 }],
      ['retrying', { 'error.type': 'PCloudApiError', 'pcloud.error.code': 5000, 'pcloud.retry.reason': 'server', 'pcloud.retry.attempt': 2, 'pcloud.retry.max_retries': 5, 'pcloud.retry.delay_ms': expect.any(Number) as number }],
    ]);
    const failed = requestSpans().filter((s) => s.status.code === SpanStatusCode.ERROR);
    expect(failed.map((s) => [s.attributes['pcloud.method'], s.attributes['http.response.status_code'], s.attributes['error.type']])).toEqual([['savezipprogress', 503, '503']]);

    const retries = await otel.metric('pcloud.zip.retries');
    expect(sumWhere(retries, { 'pcloud.retry.reason': 'http', 'http.response.status_code': 503, 'error.type': 'TransportError' })).toBe(1);
    expect(sumWhere(retries, { 'pcloud.retry.reason': 'server', 'pcloud.error.code': 5000, 'error.type': 'PCloudApiError' })).toBe(1);
    expect(sumWhere(await otel.metric('http.client.request.duration'), { 'http.response.status_code': 503, 'error.type': '503' })).toBe(1);
  });

  it('a poll that times out is an ERROR request span; a poll cut short because the job ended is cancelled, not an error', async () => {
    user.writeFile('/src/big.bin', Buffer.alloc(40_000, 7));
    // The first poll hangs past requestTimeout (aborted while the job goes on: a failure).
    fake.inject('savezipprogress', { type: 'hang' });
    const save = traced();
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = save(options({ pinServer: false, requestTimeout: 300 })).subscribe({
        next: (event) => {
          events.push(event.type);
          if (event.type !== 'progress') return;
          // The next poll hangs too; the caller leaves while it is in flight.
          fake.inject('savezipprogress', { type: 'hang' });
          setTimeout(() => {
            subscription.unsubscribe();
            resolve();
          }, 100);
        },
        error: reject,
      });
    });
    expect(events.slice(0, 2)).toEqual(['started', 'retrying']);
    await waitFor('the cancelled request span', () => requestSpans().some((s) => s.attributes['pcloud.request.cancelled'] === true), 2000, 5);
    const polls = requestSpans().filter((s) => s.attributes['pcloud.method'] === 'savezipprogress');
    const timedOut = polls.filter((s) => s.status.code === SpanStatusCode.ERROR);
    expect(timedOut.map((s) => s.attributes['error.type'])).toEqual(['AbortError']);
    const cancelled = polls.filter((s) => s.attributes['pcloud.request.cancelled'] === true);
    expect(cancelled).toHaveLength(1);
    expect([cancelled[0]!.status.code, cancelled[0]!.attributes['error.type']]).toEqual([SpanStatusCode.UNSET, undefined]);
    expect(jobSpan().attributes['pcloud.zip.outcome']).toBe('cancelled');
  });

  it('a fatal pCloud error: the job span has status ERROR, error.type and pcloud.error.code; the caller gets the library\u2019s own error', async () => {
    fake.inject('savezip', { type: 'api-error', code: 2005 });
    const error = await failure({ pinServer: false });
    expect(error).toBeInstanceOf(PCloudApiError);
    expect(error).toMatchObject({ code: 2005 });

    const job = jobSpan();
    expect(job.status).toEqual({ code: SpanStatusCode.ERROR, message: 'PCloudApiError' });
    expect(job.attributes).toMatchObject({ 'pcloud.zip.outcome': 'error', 'error.type': 'PCloudApiError', 'pcloud.error.code': 2005 });
    expect(sumWhere(await otel.metric('pcloud.zip.jobs'), { 'pcloud.zip.outcome': 'error', 'error.type': 'PCloudApiError' })).toBe(1);
  });

  it('retries exhausted: the TransportError the stream fails with, on the job span', async () => {
    fake.startZip(user, { folderid, topath: '/watched.zip' });
    const hash = fake.startZip(user, { folderid, topath: '/other.zip' });
    fake.inject('savezipprogress', { type: 'drop' }, { times: 3 });
    const traceProgress = traceZipProgress(zipProgressEvents$, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider });
    const error = await lastValueFrom(traceProgress({ progresshash: hash, auth: user.auth, apiUrl: fake.url, backoff, maxRetries: 2 })).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);

    const job = jobSpan();
    expect(job.name).toBe('pcloud savezipprogress');
    expect(job.status).toEqual({ code: SpanStatusCode.ERROR, message: 'TransportError' });
    expect(job.attributes).toMatchObject({ 'pcloud.method': 'savezipprogress', 'pcloud.zip.outcome': 'error', 'error.type': 'TransportError', 'pcloud.zip.retries': 2, 'pcloud.zip.polls': 3 });
    expect(job.events.map((e) => e.attributes?.['pcloud.retry.reason'])).toEqual(['network', 'network']);
    expect(sumWhere(await otel.metric('pcloud.zip.retries'), { 'pcloud.retry.reason': 'network', 'pcloud.method': 'savezipprogress' })).toBe(2);
  });

  it('no credential in any span name, attribute, event, status or metric attribute (auth and accessToken)', async () => {
    fake.inject('savezipprogress', { type: 'api-error', code: 5000 });
    await run();
    const hash = fake.startZip(user, { folderid, topath: '/watched.zip' });
    fake.inject('savezipprogress', { type: 'drop' });
    const traceProgress = traceZipProgress(zipProgressEvents$, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider });
    await lastValueFrom(traceProgress({ progresshash: hash, accessToken: user.accessToken, apiUrl: fake.url, backoff }));
    fake.inject('savezip', { type: 'api-error', code: 2000 });
    await failure({ pinServer: false });

    const spans = otel.spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, links: s.links }));
    expect(spans.length).toBeGreaterThan(5);
    const everything = JSON.stringify({ spans, metrics: await otel.collect() });
    for (const secret of [user.auth, user.accessToken]) expect(everything).not.toContain(secret);
  });

  it('without an SDK: the same events, no error, nothing recorded; an SDK registered after the wrapper was made is used', async () => {
    const save = traceSaveZip(saveZip$);
    const plain = await lastValueFrom(saveZip$(options({ pinServer: false })).pipe(toArray()));
    const tracedEvents = await run({ pinServer: false, topath: '/traced.zip' }, save);
    const shape = (events: SaveZipEvent[]) => events.map((e) => e.type).filter((t, i, all) => t !== 'progress' || all[i - 1] !== 'progress');
    expect(shape(tracedEvents)).toEqual(shape(plain));
    expect(otel.spans()).toEqual([]);
    expect((await otel.collect()).scopeMetrics).toEqual([]);

    trace.setGlobalTracerProvider(otel.tracerProvider);
    metrics.setGlobalMeterProvider(otel.meterProvider);
    await run({ pinServer: false, topath: '/later.zip' }, save);
    expect(jobSpan().attributes['pcloud.zip.outcome']).toBe('done');
    expect(sumWhere(await otel.metric('pcloud.zip.jobs'), {})).toBe(1);
  });

  it('the job span\u2019s parent is the span active at subscription (a queue\u2019s job span); an unsubscription ends it as cancelled', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    user.writeFile('/src/big.bin', Buffer.alloc(40_000, 7));
    const save = traced();
    const processSpan = otel.tracerProvider.getTracer('queue').startSpan('process zip');
    const events: string[] = [];
    await context.with(trace.setSpan(context.active(), processSpan), async () => {
      const subscription = save(options({ pinServer: false })).subscribe((event) => events.push(event.type));
      await waitFor('a progress event', () => events.includes('progress'), 3000);
      subscription.unsubscribe();
    });
    processSpan.end();
    expect(events.at(-1)).toBe('progress');
    const job = jobSpan();
    expect(job.parentSpanContext?.spanId).toBe(processSpan.spanContext().spanId);
    expect(job.attributes['pcloud.zip.outcome']).toBe('cancelled');
    expect(job.status.code).toBe(SpanStatusCode.UNSET);
    expect(sumWhere(await otel.metric('pcloud.zip.jobs'), { 'pcloud.zip.outcome': 'cancelled' })).toBe(1);
  });

  it('the wrappers have the wrapped functions\u2019 types (checked by tsc)', () => {
    const save: typeof saveZip$ = traceSaveZip(saveZip$);
    const watch: typeof zipProgressEvents$ = traceZipProgress(zipProgressEvents$);
    // @ts-expect-error folderid is an id (a number or its digits), not an object
    expect(() => save({ auth: user.auth, folderid: {}, topath: '/a.zip' })).toThrow(TypeError);
    // @ts-expect-error progresshash is a string
    expect(() => watch({ auth: user.auth, progresshash: 1 })).toThrow(TypeError);
  });

  it('a fetch option is kept (wrapped); bad options throw the same TypeError, synchronously', async () => {
    let calls = 0;
    const mine: typeof globalThis.fetch = (input, init) => {
      calls++;
      return globalThis.fetch(input, init);
    };
    await run({ fetch: mine, pinServer: false });
    // Every request went through `mine`. The poll in flight when savezip answers is aborted: the
    // emulator may not have logged it (seen once on Node 22 under load), and its span ends a
    // moment after the job's.
    expect(calls).toBeGreaterThanOrEqual(fake.requests.length);
    expect(calls).toBeLessThanOrEqual(fake.requests.length + 1);
    await waitFor('a span for every request', () => requestSpans().length === calls, 2000, 5);
    expect(requestSpans()).toHaveLength(calls);
    const bad = { auth: user.auth, folderid, topath: 'relative.zip' };
    const sent = calls;
    expect(() => saveZip$(bad)).toThrow(TypeError);
    expect(() => traced()(bad)).toThrow(new TypeError('topath must be a full path such as /backups/photos.zip'));
    // Nothing sent by the bad calls: no call of `mine`, and the emulator saw no request beyond
    // them (the aborted poll may still be missing from its log: at most `calls`, not exactly).
    expect(calls).toBe(sent);
    expect(fake.requests.length).toBeLessThanOrEqual(calls);
  });
});
