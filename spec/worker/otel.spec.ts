/**
 * examples/worker's telemetry, against a real redis-server (started here, loopback only) and the
 * emulator, with an in-memory SDK registered globally as an application would: the producer's
 * BullMQ `add` span, the worker's BullMQ `process` span, the library's `pcloud savezip` span and
 * its requests form one trace; a retry is a `retrying` event on the job span; no token anywhere.
 */
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Worker } from 'bullmq';
import { startFakePCloud } from '../../lib/testing/index.js';
import type { FakePCloud, FakeUser } from '../../lib/testing/index.js';
import { enqueueZip, openZipQueue, type ZipQueue } from '../../examples/worker/producer.js';
import { DEFAULT_MAX_STALLED_COUNT, startZipWorker, stopZipWorker } from '../../examples/worker/worker.js';
import { lastValueFrom, takeWhile, toArray } from 'rxjs';
import { type PCloudFileMetadata, saveZip$, type ZipJobRef } from '../../lib/node.js';
import type { ZipJobData } from '../../examples/worker/worker.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { seedFolder } from '../support/seed.js';
import { waitFor } from '../support/wait.js';
import { type TestTelemetry, testTelemetry } from '../otel/telemetry.js';

const QUEUE = `zip-otel-spec-${process.pid}`;
/** Conditions here query Redis: poll every 50 ms. */
const POLL_MS = 50;

let redis: RedisServer | undefined;
let redisUrl: string;
let fake: FakePCloud;
let user: FakeUser;
let otel: TestTelemetry;
let queue: ZipQueue | undefined;
let worker: Worker<ZipJobData, PCloudFileMetadata> | undefined;

beforeAll(async () => {
  redis = await startRedisServer();
  redisUrl = redis.url;
  // 2 files of 10 kB at 10 kB/s: about 2 s of zipping, several polls.
  fake = await startFakePCloud({ bytesPerSecond: 10_000 });
  user = fake.addUser();
  user.mkdir('/zips');
}, 15_000);

afterAll(async () => {
  await fake?.close();
  await redis?.stop();
}, 10_000);

beforeEach(() => {
  // As an application registers its SDK (examples/worker/telemetry.ts), before the queue and worker exist.
  otel = testTelemetry();
  trace.setGlobalTracerProvider(otel.tracerProvider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

afterEach(async () => {
  if (worker !== undefined) await stopZipWorker(worker);
  await queue?.close();
  worker = undefined;
  queue = undefined;
  trace.disable();
  context.disable();
  propagation.disable();
  await otel.shutdown();
}, 15_000);

/**
 * Enqueues a zip of two 10 kB files (with `zipJob`: as the retry of an attempt that sent savezip
 * and died, whose reference it makes) with the producer's queue, served by an in-process worker; resolves once it completed. */
async function zipThroughQueue(name: string, zipJob?: (data: ZipJobData) => Promise<ZipJobRef>): Promise<void> {
  const folderid = seedFolder(user, `/src/${name}`, 2, 10_000, (k) => `f${k}.bin`);
  const data: ZipJobData = { tree: { folderid }, destination: { topath: `/zips/${name}.zip` } };
  queue = openZipQueue(redisUrl, QUEUE);
  worker = startZipWorker({
    redisUrl, queue: QUEUE, apiUrl: fake.url, credentials: { auth: user.auth }, name: `otel-${name}`, concurrency: 1, lockDuration: 5_000, stalledInterval: 5_000,
    maxStalledCount: DEFAULT_MAX_STALLED_COUNT,
  });
  const job = await enqueueZip(queue, zipJob === undefined ? data : { ...data, zipJob: await zipJob(data) });
  const openQueue = queue;
  await waitFor(`job ${job.id ?? '?'} to finish`, async () => ['completed', 'failed'].includes(await openQueue.getJobState(job.id ?? '')), 20_000, POLL_MS);
  expect(await openQueue.getJobState(job.id ?? '')).toBe('completed');
}

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan): string => span.spanContext().spanId;

/** Whether `span` is `ancestor` or below it, following parents among `spans`. */
function isUnder(span: ReadableSpan, ancestor: ReadableSpan, spans: readonly ReadableSpan[]): boolean {
  for (let at: ReadableSpan | undefined = span; at !== undefined; at = spans.find((s) => idOf(s) === parentOf(at))) {
    if (idOf(at) === idOf(ancestor)) return true;
  }
  return false;
}

/** The one span that `matches`, among the finished ones. */
function only(spans: readonly ReadableSpan[], what: string, matches: (span: ReadableSpan) => boolean): ReadableSpan {
  const found = spans.filter(matches);
  if (found.length !== 1) throw new Error(`expected one ${what} span, found ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
}

/** The producer's add, the worker's process and the library's job span, once all have ended. */
async function theTrace(): Promise<{ add: ReadableSpan; process: ReadableSpan; job: ReadableSpan; spans: ReadableSpan[] }> {
  // BullMQ ends `process` after the completed job is written back.
  await waitFor('the process span', () => otel.spans().some((s) => s.kind === SpanKind.CONSUMER && s.name === `process ${QUEUE}`), 5_000, POLL_MS);
  const spans = otel.spans();
  const add = only(spans, 'add', (s) => s.kind === SpanKind.PRODUCER && s.name === `add ${QUEUE}.savezip`);
  const process = only(spans, 'process', (s) => s.kind === SpanKind.CONSUMER && s.name === `process ${QUEUE}`);
  const job = only(spans, 'pcloud savezip', (s) => s.name === 'pcloud savezip');
  return { add, process, job, spans };
}

/** Every string an exporter would ship for a span: attributes, event attributes, status, name. */
function textsOf(span: ReadableSpan): string[] {
  const values = [span.attributes, ...span.events.map((e) => e.attributes ?? {})].flatMap((attributes) => Object.values(attributes));
  return [span.name, span.status.message ?? '', ...span.events.map((e) => e.name), ...values.map((v) => JSON.stringify(v))];
}

it("one trace: the producer's add, the worker's process, the library's pcloud savezip below it and its polls below that, no token", async () => {
  await zipThroughQueue('traced');
  const { add, process, job, spans } = await theTrace();

  // BullMQ carried the producer's context in the job: process continues add's trace.
  const traceId = add.spanContext().traceId;
  expect(process.spanContext().traceId).toBe(traceId);
  expect(parentOf(process)).toBe(idOf(add));
  // The zip ran inside the processor, so the job span is below process.
  expect(job.spanContext().traceId).toBe(traceId);
  expect(isUnder(job, process, spans)).toBe(true);
  expect(job.attributes['pcloud.zip.outcome']).toBe('done');

  // Its requests are CLIENT spans below it: savezip once, and the polls (POST savezipprogress).
  await waitFor('every request span of the job', () => otel.spans().filter((s) => s.kind === SpanKind.CLIENT && parentOf(s) === idOf(job)).length >= Number(job.attributes['pcloud.zip.polls']) + 1, 2_000, POLL_MS);
  const requests = otel.spans().filter((s) => s.kind === SpanKind.CLIENT && parentOf(s) === idOf(job));
  const polls = requests.filter((s) => s.attributes['pcloud.method'] === 'savezipprogress');
  expect(requests.filter((s) => s.attributes['pcloud.method'] === 'savezip')).toHaveLength(1);
  expect(polls.length).toBeGreaterThanOrEqual(2);
  for (const poll of polls) {
    expect(poll.attributes['http.request.method']).toBe('POST');
    expect(poll.spanContext().traceId).toBe(traceId);
  }

  // The whole trace, BullMQ's spans included, never holds the token.
  const inTrace = otel.spans().filter((s) => s.spanContext().traceId === traceId);
  expect(inTrace.length).toBeGreaterThanOrEqual(4 + polls.length);
  for (const span of otel.spans()) for (const text of textsOf(span)) expect(text).not.toContain(user.auth);
}, 30_000);

it('a poll answered 503 with Retry-After: a retrying event on the job span, in the same trace, and the job completes', async () => {
  fake.inject('savezipprogress', { type: 'http', status: 503, headers: { 'Retry-After': '1' } });
  await zipThroughQueue('retried');
  const { add, process, job, spans } = await theTrace();

  expect(process.spanContext().traceId).toBe(add.spanContext().traceId);
  expect(isUnder(job, process, spans)).toBe(true);
  const retrying = job.events.filter((event) => event.name === 'retrying');
  expect(retrying).toHaveLength(1);
  expect(retrying[0]?.attributes).toMatchObject({ 'error.type': 'TransportError', 'http.response.status_code': 503, 'pcloud.retry.reason': 'http' });
  // The server's Retry-After (1 s) sets the wait.
  expect(Number(retrying[0]?.attributes?.['pcloud.retry.delay_ms'])).toBeGreaterThanOrEqual(1_000);
  expect(job.attributes['pcloud.zip.outcome']).toBe('done');
  for (const span of otel.spans()) for (const text of textsOf(span)) expect(text).not.toContain(user.auth);
}, 30_000);

it("a retry re-attaching to its zip: the library's pcloud savezipprogress span below BullMQ's process, its polls below it", async () => {
  // An earlier attempt sent savezip, saw the zip under way and died: pCloud goes on zipping, the
  // job holds the reference.
  const sentBefore = async (data: ZipJobData): Promise<ZipJobRef> => {
    const events = await lastValueFrom(saveZip$({ auth: user.auth, apiUrl: fake.url, ...data.tree, ...data.destination }).pipe(takeWhile((e) => e.type !== 'progress', true), toArray()));
    const started = events.find((e) => e.type === 'started');
    if (started?.type !== 'started' || events.at(-1)?.type !== 'progress') throw new Error(`expected started, then progress: ${events.map((e) => e.type).join(', ')}`);
    return started.job;
  };
  await zipThroughQueue('reattached', sentBefore);
  await waitFor('the process span', () => otel.spans().some((s) => s.kind === SpanKind.CONSUMER && s.name === `process ${QUEUE}`), 5_000, POLL_MS);
  const spans = otel.spans();
  const add = only(spans, 'add', (s) => s.kind === SpanKind.PRODUCER && s.name === `add ${QUEUE}.savezip`);
  const process = only(spans, 'process', (s) => s.kind === SpanKind.CONSUMER && s.name === `process ${QUEUE}`);
  const job = only(spans, 'pcloud savezipprogress', (s) => s.name === 'pcloud savezipprogress');
  expect(spans.filter((s) => s.name === 'pcloud savezip')).toEqual([]);
  expect(process.spanContext().traceId).toBe(add.spanContext().traceId);
  expect(isUnder(job, process, spans)).toBe(true);
  expect(job.attributes['pcloud.zip.outcome']).toBe('done');
  const polls = spans.filter((s) => s.kind === SpanKind.CLIENT && parentOf(s) === idOf(job) && s.attributes['pcloud.method'] === 'savezipprogress');
  expect(polls.length).toBeGreaterThanOrEqual(1);
  for (const span of otel.spans()) for (const text of textsOf(span)) expect(text).not.toContain(user.auth);
}, 30_000);
