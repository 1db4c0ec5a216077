/**
 * examples/worker against a real redis-server (started here, loopback only) and the emulator:
 * two worker processes share 20 jobs, one is SIGKILLed mid-job and BullMQ's stall check hands its
 * job to the other, which re-attaches to the zip already running (one savezip per job); then a
 * graceful stop (SIGTERM) mid-job, more stops than attempts and more crashes than one during one
 * zip, an explicit cancellation, a retry whose zip pCloud no longer knows, one job per
 * destination, and two accounts served at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { QueueEvents, Worker } from 'bullmq';
import { startFakePCloud } from '../../lib/testing/index.js';
import type { FakePCloud, FakeUser, FileMetadata, FolderMetadata, RecordedRequest } from '../../lib/testing/index.js';
import { printZipEvents } from '../../examples/worker/events.js';
import { DuplicateZipJobError, zipJobId } from '../../examples/worker/job-id.js';
import { enqueueZip, openZipQueue, ZIP_JOB_OPTIONS, type ZipQueue } from '../../examples/worker/producer.js';
import {
  DEFAULT_MAX_STALLED_COUNT,
  SHUTDOWN_REASON,
  startZipWorker,
  stopZipWorker,
  type WorkerConfig,
  type ZipJobData,
  type ZipJobProgress,
} from '../../examples/worker/worker.js';
import { requestsOf } from '../support/requests.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { runCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait.js';
import { call, filesOf, unzip } from '../testing/helpers.js';

const ROOT = join(__dirname, '..', '..');
const QUEUE = `zip-spec-${process.pid}`;
const JOBS = 20;
// 3 files, 12 kB per job at 12 kB/s: about 1 s per zip, long enough to be killed mid-job.
const SPEED = 12_000;
/** Conditions here query Redis or child output: poll every 50 ms, not the default 5. */
const POLL_MS = 50;

interface Child {
  readonly proc: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: Child[] = [];

function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  proc.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => { resolve({ code, signal }); });
    // A missing executable: report it as an exit so nothing waits forever.
    proc.once('error', (error) => {
      output.push(String(error));
      resolve({ code: -1, signal: null });
    });
  });
  const child = { proc, output, exited };
  children.push(child);
  return child;
}

async function stop(child: Child, signal: NodeJS.Signals, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => { resolve('timeout'); }, timeoutMs);
  });
  const result = await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    child.proc.kill('SIGKILL');
    throw new Error(`process did not stop within ${timeoutMs} ms after ${signal}:\n${child.output.join('')}`);
  }
  return result;
}

let redis: RedisServer | undefined;
let redisUrl: string;
let fake: FakePCloud;
let user: FakeUser;
let queue: ZipQueue;
let events: QueueEvents;
const serverLog: string[] = [];
const eventLines: string[] = [];
const progress: Array<{ jobId: string; data: ZipJobProgress }> = [];

function startWorker(name: string): Child {
  return start(process.execPath, ['--import', 'tsx', 'examples/worker/worker.ts'], {
    ...process.env,
    REDIS_URL: redisUrl,
    ZIP_QUEUE: QUEUE,
    PCLOUD_API_URL: fake.url,
    PCLOUD_AUTH: user.auth,
    WORKER_NAME: name,
    WORKER_CONCURRENCY: '2',
    // A dead worker's lock expires within 2 s; the survivor checks for stalled jobs every second.
    WORKER_LOCK_DURATION: '2000',
    WORKER_STALLED_INTERVAL: '1000',
  });
}

/** An in-process worker of the default account, quick to take over a dead worker's job. */
function inProcessConfig(name: string, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    redisUrl, queue: QUEUE, apiUrl: fake.url, credentials: { auth: user.auth }, name, concurrency: 1, lockDuration: 2_000, stalledInterval: 1_000,
    maxStalledCount: DEFAULT_MAX_STALLED_COUNT, ...overrides,
  };
}

/** The job's log lines (`job.log`), without the worker-name prefix. */
async function jobLog(id: string | undefined): Promise<string[]> {
  const { logs } = await queue.getJobLogs(id ?? '');
  return logs.map((line) => line.replace(/^[^:]+: /, ''));
}

/** Writes `count` files of `size` bytes under `/src/job-<name>`: at 12 kB/s, count * size / 12000 s of zipping. */
function slowSource(name: string, count: number, size: number): void {
  for (let k = 0; k < count; k++) user.writeFile(`/src/job-${name}/f${k}.bin`, Buffer.alloc(size, k));
}

function sourceFiles(i: number): Map<string, Buffer> {
  return new Map([
    ['a.txt', Buffer.from(`job ${i}\n`)],
    ['b.bin', Buffer.alloc(6_000, i)],
    ['c.bin', Buffer.from(Array.from({ length: 6_000 - `job ${i}\n`.length }, (_, k) => (k * 31 + i) % 256))],
  ]);
}

function job(i: number | string): ZipJobData {
  return { tree: { folderid: user.mkdir(`/src/job-${i}`).folderid }, destination: { topath: `/zips/job-${i}.zip` } };
}

async function zipsListing(): Promise<NonNullable<FolderMetadata['contents']>> {
  const answer = await call(fake, 'listfolder', { auth: user.auth, path: '/zips' });
  return (answer.metadata as FolderMetadata).contents ?? [];
}

async function zipsFolder(): Promise<string[]> {
  return (await zipsListing()).map((entry) => entry.name).sort();
}

/** The file `name` in /zips as pCloud lists it. */
async function zipEntry(name: string): Promise<FileMetadata | undefined> {
  return (await zipsListing()).find((entry): entry is FileMetadata => !entry.isfolder && entry.name === name);
}

/** The savezip calls that reached the emulator for one destination (CORS preflights aside). */
const savezipsTo = (topath: string): RecordedRequest[] => requestsOf(fake, 'savezip').filter((r) => r.httpMethod !== 'OPTIONS' && r.params.topath === topath);

beforeAll(async () => {
  try {
    require.resolve('ioredis');
  } catch {
    // Not a skip: BullMQ loads ioredis lazily and would fail deep inside a child process.
    throw new Error("BullMQ needs the 'ioredis' package: add it to devDependencies (npm install -D ioredis)");
  }
  redis = await startRedisServer();
  redisUrl = redis.url;

  fake = await startFakePCloud({ bytesPerSecond: SPEED, log: (line) => serverLog.push(line) });
  user = fake.addUser();
  user.mkdir('/zips');
  for (let i = 0; i < JOBS; i++) for (const [name, data] of sourceFiles(i)) user.writeFile(`/src/job-${i}/${name}`, data);

  queue = openZipQueue(redisUrl, QUEUE);
  events = new QueueEvents(QUEUE, { connection: { url: redisUrl } });
  printZipEvents(events, (line) => eventLines.push(line));
  events.on('progress', ({ jobId, data }) => progress.push({ jobId, data: data as ZipJobProgress }));
  await events.waitUntilReady();
}, 15_000);

afterAll(async () => {
  // Every process, even after a failure: SIGKILL the workers still running and reap them; close
  // the Redis clients while Redis is up (else they keep reconnecting); stop Redis last.
  await Promise.all(children.map((child) => stop(child, 'SIGKILL', 5_000).catch(() => undefined)));
  await events?.close();
  await queue?.close();
  await fake?.close();
  await redis?.stop();
}, 20_000);

it('two workers complete 20 jobs exactly once, one SIGKILLed mid-job: its retry re-attaches, one savezip', async () => {
  const a = startWorker('A');
  const b = startWorker('B');
  await waitFor('both workers to start', () => [a, b].every((w) => w.output.join('').includes('consuming')), 15_000, POLL_MS);
  const ids = new Map<string, number>();
  for (let i = 0; i < JOBS; i++) ids.set((await enqueueZip(queue, job(i))).id ?? '', i);

  // A is mid-job as soon as it reports progress short of done.
  await waitFor('progress from worker A', () => progress.some((p) => p.data.worker === 'A' && p.data.fraction < 1), 10_000, POLL_MS);
  const killed = progress.find((p) => p.data.worker === 'A' && p.data.fraction < 1)?.jobId ?? '';
  a.proc.kill('SIGKILL');

  // Finished either way, so a failure shows up in the counts below instead of as a timeout.
  await waitFor('20 finished jobs', async () => {
    const counts = await queue.getJobCounts('completed', 'failed');
    return (counts.completed ?? 0) + (counts.failed ?? 0) >= JOBS;
  }, 40_000, POLL_MS);
  expect(await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed')).toEqual({ completed: JOBS, failed: 0, active: 0, wait: 0, delayed: 0 });

  // Exactly one 'completed' event per job.
  const completedLines = eventLines.filter((line) => line.includes(': completed'));
  expect(completedLines).toHaveLength(JOBS);
  expect(new Set(completedLines.map((line) => line.split(':')[0])).size).toBe(JOBS);

  // The killed job ran again (stalled, then picked by B) and still completed.
  const retried = await queue.getJob(killed);
  expect(retried?.stalledCounter).toBeGreaterThanOrEqual(1);
  expect(retried?.attemptsStarted).toBeGreaterThanOrEqual(2);
  expect(await retried?.getState()).toBe('completed');
  // The retry re-attached to A's zip: exactly one savezip for it reached pCloud, and the job's
  // data holds that call's reference, stored by A before its first progress.
  const killedPath = `/zips/job-${ids.get(killed)}.zip`;
  const saves = savezipsTo(killedPath);
  expect(saves).toHaveLength(1);
  expect(retried?.data.zipJob).toMatchObject({ progresshash: saves[0]?.params.progresshash, destination: { topath: killedPath } });
  expect(requestsOf(fake, 'savezipprogress').filter((r) => r.params.progresshash === saves[0]?.params.progresshash).length).toBeGreaterThanOrEqual(2);
  // Both decisions are in the job's log: A's savezip, B's re-attach.
  const killedLog = await jobLog(killed);
  expect(killedLog.filter((line) => line.startsWith('savezip sent'))).toHaveLength(1);
  expect(killedLog.some((line) => line.startsWith('re-attaching to the zip an earlier attempt started'))).toBe(true);
  // It completed with the zip's metadata, read back from pCloud (a re-attach never sees savezip's answer).
  const saved = await zipEntry(`job-${ids.get(killed)}.zip`);
  expect(retried?.returnvalue).toMatchObject({ fileid: saved?.fileid, size: saved?.size, name: saved?.name, isfolder: false });
  // No zip was started twice: pCloud never answered savezip with 2004.
  expect(serverLog.filter((line) => line.startsWith('POST /savezip 200 result=2004'))).toEqual([]);

  // One valid zip per job at its own path, with the source's names and bytes, and nothing else;
  // every job's progress at 100%, with its totals unless no poll ever reported them (a zip that
  // was saved before the first poll answered, likely on a loaded machine).
  expect(await zipsFolder()).toEqual(Array.from({ length: JOBS }, (_, i) => `job-${i}.zip`).sort());
  for (const [id, i] of ids) {
    const done = await queue.getJob(id);
    expect(done?.returnvalue).toMatchObject({ path: `/zips/job-${i}.zip`, isfolder: false });
    const { fraction, files, totalfiles, bytes, totalbytes, etaMs } = done?.progress as ZipJobProgress;
    expect([[1, 3, 3, 12_000, 12_000, 0], [1, null, null, null, null, 0]]).toContainEqual([fraction, files, totalfiles, bytes, totalbytes, etaMs]);
    expect(filesOf(await unzip(user.readFile(`/zips/job-${i}.zip`)!))).toEqual(sourceFiles(i));
  }
  expect(eventLines.some((line) => /^job zip-[0-9a-f]+: \d+% \(\d+\/3 files/.test(line))).toBe(true);
  expect(b.proc.exitCode).toBeNull();
}, 55_000);

it('SIGTERM mid-job hands the job back without spending an attempt; another worker re-attaches to the zip still running', async () => {
  const b = children.find((child) => child.output.join('').includes('[B]'))!;
  // 12 x 12 kB at 12 kB/s: about 12 s, still running when the next worker takes the job.
  slowSource('slow', 12, 12_000);
  const slow = await enqueueZip(queue, job('slow'));
  await waitFor('progress on the slow job', () => progress.some((p) => p.jobId === slow.id && p.data.worker === 'B'), 10_000, POLL_MS);

  expect(await stop(b, 'SIGTERM', 5_000)).toEqual({ code: 0, signal: null });
  // B cancelled its savezip instead of waiting for the zip to end; pCloud zips on.
  expect(savezipsTo('/zips/job-slow.zip').map((r) => r.aborted)).toEqual([true]);
  const handedBack = await queue.getJob(slow.id ?? '');
  // Handed back (moveToDelayed + DelayedError), not failed: no attempt spent, no failure recorded.
  expect(handedBack?.attemptsMade).toBe(0);
  expect(handedBack?.failedReason).toBeFalsy();
  expect(['waiting', 'delayed']).toContain(await handedBack?.getState());
  expect(await jobLog(slow.id)).toContain(`handed back: ${SHUTDOWN_REASON}; another worker re-attaches (no attempt spent)`);
  expect(fake.jobs().find((j) => j.progresshash === handedBack?.data.zipJob?.progresshash)?.done).toBe(false);

  const c = startWorker('C');
  try {
    await waitFor('the slow job to complete', async () => (await queue.getJob(slow.id ?? ''))?.finishedOn !== undefined, 25_000, POLL_MS);
    const finished = await queue.getJob(slow.id ?? '');
    expect(await finished?.getState()).toBe('completed');
    expect(finished?.returnvalue).toMatchObject({ path: '/zips/job-slow.zip' });
    // C watched the same zip mid-way (progress short of done) and sent no savezip of its own.
    expect(progress.some((p) => p.jobId === slow.id && p.data.worker === 'C' && p.data.fraction < 1)).toBe(true);
    expect(savezipsTo('/zips/job-slow.zip')).toHaveLength(1);
    expect([...filesOf(await unzip(user.readFile('/zips/job-slow.zip')!)).keys()].sort()).toEqual(Array.from({ length: 12 }, (_, k) => `f${k}.bin`).sort());
    // An idle worker stops cleanly too.
    expect(await stop(c, 'SIGTERM', 5_000)).toEqual({ code: 0, signal: null });
  } finally {
    // Whatever failed above: no worker of this test may take the next tests' jobs.
    await stop(c, 'SIGKILL', 5_000).catch(() => undefined);
  }
}, 50_000);

it('stopped mid-zip more times than its attempts, the job spends none and its zip is saved once', async () => {
  // 20 x 12 kB at 12 kB/s: about 20 s of zipping, still running after the last stop.
  slowSource('stops', 20, 12_000);
  const stopped = await enqueueZip(queue, job('stops'));
  const stops = (ZIP_JOB_OPTIONS.attempts ?? 1) + 1;
  for (let round = 1; round <= stops; round++) {
    const name = `stop-${round}`;
    const worker = startZipWorker(inProcessConfig(name));
    try {
      await waitFor(`progress from ${name}`, () => progress.some((p) => p.jobId === stopped.id && p.data.worker === name && p.data.fraction < 1), 15_000, POLL_MS);
    } finally {
      // What SIGTERM does in worker.ts.
      await stopZipWorker(worker);
    }
    const handedBack = await queue.getJob(stopped.id ?? '');
    expect({ handedBack: ['delayed', 'waiting'].includes(await handedBack?.getState() ?? ''), attemptsMade: handedBack?.attemptsMade }).toEqual({ handedBack: true, attemptsMade: 0 });
  }
  const last = startZipWorker(inProcessConfig('after-stops'));
  try {
    await waitFor('the stopped job to finish', async () => (await queue.getJob(stopped.id ?? ''))?.finishedOn !== undefined, 30_000, POLL_MS);
  } finally {
    await last.close();
  }
  const done = await queue.getJob(stopped.id ?? '');
  expect(await done?.getState()).toBe('completed');
  expect(done?.attemptsMade).toBeLessThanOrEqual(1);
  expect(savezipsTo('/zips/job-stops.zip')).toHaveLength(1);
  expect([...filesOf(await unzip(user.readFile('/zips/job-stops.zip')!)).keys()]).toHaveLength(20);
  const log = await jobLog(stopped.id);
  expect(log.filter((line) => line.startsWith('handed back'))).toHaveLength(stops);
  // (One more if a loaded machine held a worker past its 2 s lock: a stall, also re-attached.)
  expect(log.filter((line) => line.startsWith('re-attaching')).length).toBeGreaterThanOrEqual(stops);
  expect(log.filter((line) => line.startsWith('savezip sent'))).toHaveLength(1);
}, 60_000);

it(`a worker crashing twice during one zip (BullMQ's default maxStalledCount is 1): the zip is saved once`, async () => {
  // 20 x 12 kB at 12 kB/s: about 20 s, enough for two workers to start and be killed mid-zip.
  slowSource('crashes', 20, 12_000);
  const crashed = await enqueueZip(queue, job('crashes'));
  const crashes = 2;
  let next = startWorker('crash-1');
  try {
    for (let round = 1; round <= crashes; round++) {
      const name = `crash-${round}`;
      await waitFor(`progress from ${name}`, () => progress.some((p) => p.jobId === crashed.id && p.data.worker === name && p.data.fraction < 1), 20_000, POLL_MS);
      const dying = next;
      // Started before the kill: its start-up overlaps the dead worker's lock running out.
      next = startWorker(round < crashes ? `crash-${round + 1}` : 'after-crashes');
      expect(await stop(dying, 'SIGKILL', 5_000)).toEqual({ code: null, signal: 'SIGKILL' });
    }
    await waitFor('the crashed job to finish', async () => (await queue.getJob(crashed.id ?? ''))?.finishedOn !== undefined, 40_000, POLL_MS);
    const done = await queue.getJob(crashed.id ?? '');
    expect({ state: await done?.getState(), failedReason: done?.failedReason }).toEqual({ state: 'completed', failedReason: undefined });
    expect(done?.stalledCounter).toBeGreaterThanOrEqual(crashes);
    expect(savezipsTo('/zips/job-crashes.zip')).toHaveLength(1);
    expect([...filesOf(await unzip(user.readFile('/zips/job-crashes.zip')!)).keys()]).toHaveLength(20);
    const log = await jobLog(crashed.id);
    expect(log.filter((line) => line.startsWith('re-attaching')).length).toBeGreaterThanOrEqual(crashes);
    expect(await stop(next, 'SIGTERM', 5_000)).toEqual({ code: 0, signal: null });
  } finally {
    await stop(next, 'SIGKILL', 5_000).catch(() => undefined);
  }
}, 90_000);

it('worker.cancelJob aborts the zip and fails the job without retries', async () => {
  const worker = startZipWorker(inProcessConfig('in-process'));
  try {
    for (let k = 0; k < 4; k++) user.writeFile(`/src/job-cancel/f${k}.bin`, Buffer.alloc(6_000, k));
    const cancelled = await enqueueZip(queue, job('cancel'));
    await waitFor('progress on the job to cancel', () => progress.some((p) => p.jobId === cancelled.id), 10_000, POLL_MS);
    expect(worker.cancelJob(cancelled.id ?? '', 'user request')).toBe(true);

    await waitFor('the cancelled job to fail', async () => (await queue.getJob(cancelled.id ?? ''))?.finishedOn !== undefined, 5_000, POLL_MS);
    const failed = await queue.getJob(cancelled.id ?? '');
    expect(await failed?.getState()).toBe('failed');
    expect(failed?.failedReason).toBe('cancelled: user request');
    expect(failed?.attemptsMade).toBe(1);
    const saves = requestsOf(fake, 'savezip').filter((r) => r.params.topath === '/zips/job-cancel.zip');
    expect(saves.map((r) => r.aborted)).toEqual([true]);
  } finally {
    await worker.close();
  }
}, 20_000);

it('the producer command enqueues a job on the real Redis, which a worker completes at 100%', async () => {
  const worker = startZipWorker(inProcessConfig('in-process'));
  try {
    const { folderid } = user.mkdir('/src/job-cli');
    user.writeFile('/src/job-cli/only.txt', Buffer.from('from the command line\n'));
    const run = await runCli('examples/worker/producer.ts', ['--folderid', String(folderid), '--topath', '/zips/job-cli.zip'], { REDIS_URL: redisUrl, ZIP_QUEUE: QUEUE });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const id = /^enqueued job (zip-[0-9a-f]{64})\n$/.exec(run.stdout)?.[1] ?? `none in ${JSON.stringify(run.stdout)}`;
    await waitFor('the job from the command line to finish', async () => (await queue.getJob(id))?.finishedOn !== undefined, 10_000, POLL_MS);
    const done = await queue.getJob(id);
    expect(await done?.getState()).toBe('completed');
    expect(done?.opts).toMatchObject({ attempts: 3 });
    // (Its counts may be unknown: a 22-byte zip can be saved before the first poll answers.)
    expect(done?.progress).toMatchObject({ fraction: 1, etaMs: 0, worker: 'in-process' });
  } finally {
    await worker.close();
  }
}, 30_000);

it('a retry whose zip pCloud no longer knows (1901) sends savezip again and adopts the zip on 2004', async () => {
  const { folderid } = user.mkdir('/src/job-gone');
  user.writeFile('/src/job-gone/only.bin', Buffer.alloc(3_000, 7));
  const topath = '/zips/job-gone.zip';
  const forgotten = `forgotten-${process.pid}`;
  // The attempt that died: its zip reached the destination, and the reference it stored is one
  // pCloud has forgotten by the time of the retry (a minute old: no grace left for 1901).
  const dying = new Worker<ZipJobData>(QUEUE, async (attempt) => {
    fake.startZip(user, { folderid: String(folderid), topath });
    await waitFor('the first zip to be saved', () => user.readFile(topath) !== undefined, 5_000, POLL_MS);
    await attempt.updateData({ ...attempt.data, zipJob: { progresshash: forgotten, apiUrl: fake.url, destination: { topath }, startedAt: Date.now() - 60_000 } });
    throw new Error('simulated crash');
  }, { connection: { url: redisUrl }, concurrency: 1 });
  const gone = await enqueueZip(queue, { tree: { folderid: String(folderid) }, destination: { topath } });
  try {
    await waitFor('the first attempt to fail', async () => (await queue.getJob(gone.id ?? ''))?.failedReason === 'simulated crash', 10_000, POLL_MS);
  } finally {
    // Before the retry's 1 s backoff ends: the retry is for the real worker.
    await dying.close();
  }
  const worker = startZipWorker(inProcessConfig('in-process'));
  try {
    await waitFor('the retried job to finish', async () => (await queue.getJob(gone.id ?? ''))?.finishedOn !== undefined, 15_000, POLL_MS);
    const done = await queue.getJob(gone.id ?? '');
    expect(await done?.getState()).toBe('completed');
    // It tried the stored reference first, got 1901, then sent one savezip, which met the zip.
    expect(requestsOf(fake, 'savezipprogress').filter((r) => r.params.progresshash === forgotten).length).toBeGreaterThanOrEqual(1);
    expect(savezipsTo(topath)).toHaveLength(1);
    expect(serverLog.some((line) => line.startsWith('POST /savezip 200 result=2004'))).toBe(true);
    const saved = await zipEntry('job-gone.zip');
    expect(done?.returnvalue).toMatchObject({ fileid: saved?.fileid, size: saved?.size, path: topath });
    // The retry stored the reference of its own savezip.
    expect(done?.data.zipJob?.progresshash).toBe(savezipsTo(topath)[0]?.params.progresshash);
    expect(filesOf(await unzip(user.readFile(topath)!))).toEqual(new Map([['only.bin', Buffer.alloc(3_000, 7)]]));
    // Each decision in the job's log, in order. A poll may reach pCloud before savezip's 2004
    // does and be told 1901 "not registered yet": that wait's line may come in between.
    const waitLine = /^pCloud has not registered the zip yet: polling again in \S+ m?s$/;
    const log = await jobLog(gone.id);
    expect(log.filter((line) => !waitLine.test(line))).toEqual([
      expect.stringMatching(/^re-attaching to the zip an earlier attempt started at \S+ \(attempt 2\)$/),
      'pCloud no longer knows that zip (1901): sending savezip again',
      `savezip sent to ${topath}; its reference is stored for retries`,
      `savezip answered 2004: ${topath} is a zip created since the job was enqueued, an earlier attempt's; taken as the result`,
    ]);
  } finally {
    await worker.close();
  }
}, 30_000);

it('one job per destination: the id is derived from account and destination, a second job is refused', async () => {
  const data = { tree: { folderid: '0' }, destination: { topath: '/zips/a:b.zip' } };
  const added: string[] = [];
  try {
    // A path with ':' (which BullMQ ids may not hold) gets an id all the same.
    const first = await enqueueZip(queue, data);
    added.push(first.id ?? '');
    expect(first.id).toMatch(/^zip-[0-9a-f]{64}$/);
    expect(first.id).toBe(zipJobId(data));
    const refused = enqueueZip(queue, { ...data, tree: { folderid: '1' } });
    await expect(refused).rejects.toThrow(DuplicateZipJobError);
    await expect(refused).rejects.toThrow(`a job for /zips/a:b.zip is already in the queue (job ${first.id}, waiting): one job per destination. Wait for it to end, or remove it first.`);
    // The first job is untouched.
    expect((await queue.getJob(first.id ?? ''))?.data).toEqual(data);

    // The same path in another account, or the same folder and name, is another zip.
    const other = await enqueueZip(queue, { ...data, account: 'other' });
    added.push(other.id ?? '');
    expect(other.id).not.toBe(first.id);
    const byFolder = { tree: { folderid: '0' }, destination: { tofolderid: '5', toname: 'a:b.zip' } };
    const inFolder = await enqueueZip(queue, byFolder);
    added.push(inFolder.id ?? '');
    await expect(enqueueZip(queue, byFolder)).rejects.toThrow('a job for a:b.zip in folder 5 is already in the queue');

    // Two adds in one millisecond (a fast machine): the second is refused all the same.
    const sameMs = { tree: { folderid: '0' }, destination: { topath: '/zips/same-ms.zip' } };
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.now());
    try {
      const once = await enqueueZip(queue, sameMs);
      added.push(once.id ?? '');
      await expect(enqueueZip(queue, sameMs)).rejects.toThrow(DuplicateZipJobError);
    } finally {
      now.mockRestore();
    }

    // The command line says so in one line, exit 1.
    const run = await runCli('examples/worker/producer.ts', ['--folderid', '0', '--topath', '/zips/a:b.zip'], { REDIS_URL: redisUrl, ZIP_QUEUE: QUEUE });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: `producer: a job for /zips/a:b.zip is already in the queue (job ${first.id}, waiting): one job per destination. Wait for it to end, or remove it first.\n`,
    });
  } finally {
    // No worker has run them (nothing runs now): they must not reach the next test's workers.
    for (const id of added) await queue.remove(id);
  }
}, 30_000);

it('jobs of two accounts run at once in one worker, each zip in its own account', async () => {
  // Written to catch a crossing: with connection-bound logins (pCloud's api.txt), requests of one
  // account sent on the other's keep-alive connection act as the other.
  const other = fake.addUser();
  const accounts = new Map([['alice', { auth: user.auth }], ['bob', { auth: other.auth }]]);
  const owners = { alice: user, bob: other };
  const sources = new Map<string, Map<string, Buffer>>();
  const jobs: Array<{ id: string; account: 'alice' | 'bob'; topath: string }> = [];
  for (const account of ['alice', 'bob'] as const) {
    const owner = owners[account];
    if (owner.stat('/zips') === undefined) owner.mkdir('/zips');
    const files = new Map([[`${account}.txt`, Buffer.from(`${account}'s\n`)], ['data.bin', Buffer.alloc(36_000, account.length)]]);
    sources.set(account, files);
    const { folderid } = owner.mkdir(`/src/${account}`);
    for (const [name, bytes] of files) owner.writeFile(`/src/${account}/${name}`, bytes);
    // The same path in both accounts, and one path each.
    for (const topath of ['/zips/same.zip', `/zips/only-${account}.zip`]) {
      const added = await enqueueZip(queue, { account, tree: { folderid: String(folderid) }, destination: { topath } });
      jobs.push({ id: added.id ?? '', account, topath });
    }
  }
  // No credentials here: the worker holds them (its accounts file), the jobs only name them.
  const worker = startZipWorker(inProcessConfig('two-accounts', { credentials: undefined, accounts, concurrency: 4 }));
  try {
    await waitFor('the jobs of both accounts to finish', async () => {
      const finished = await Promise.all(jobs.map(async ({ id }) => (await queue.getJob(id))?.finishedOn !== undefined));
      return finished.every(Boolean);
    }, 20_000, POLL_MS);
  } finally {
    await worker.close();
  }
  const finishedAt: number[] = [];
  for (const { id } of jobs) {
    const done = await queue.getJob(id);
    expect({ id, state: await done?.getState(), failedReason: done?.failedReason }).toEqual({ id, state: 'completed', failedReason: undefined });
    finishedAt.push(done?.finishedOn ?? 0);
  }
  // At once: all four savezips were sent before the first job ended.
  const sent = ['/zips/same.zip', '/zips/only-alice.zip', '/zips/only-bob.zip'].flatMap(savezipsTo);
  expect(sent).toHaveLength(jobs.length);
  expect(Math.max(...sent.map((r) => r.at))).toBeLessThan(Math.min(...finishedAt));
  // Each zip holds its own account's files, in its own account, and nothing is in the other's.
  for (const account of ['alice', 'bob'] as const) {
    const owner = owners[account];
    const stranger = owners[account === 'alice' ? 'bob' : 'alice'];
    expect(filesOf(await unzip(owner.readFile('/zips/same.zip')!))).toEqual(sources.get(account));
    expect(filesOf(await unzip(owner.readFile(`/zips/only-${account}.zip`)!))).toEqual(sources.get(account));
    expect(stranger.stat(`/zips/only-${account}.zip`)).toBeUndefined();
    const returned = (await queue.getJob(jobs.find((j) => j.account === account && j.topath === '/zips/same.zip')?.id ?? ''))?.returnvalue;
    expect(returned).toMatchObject({ fileid: (owner.stat('/zips/same.zip') as FileMetadata).fileid });
  }
}, 40_000);

describe('waits are visible to operators: a line per retry in the job log, the state in its progress data', () => {
  /** The states of the job's progress data, in the order the QueueEvents stream delivered them. */
  const statesOf = (id: string | undefined): Array<string | undefined> => progress.filter((p) => p.jobId === id).map((p) => p.data.state);

  /**
   * Runs one job of `files` x 6 kB (0.5 s each) in an in-process worker until it ends; `fault` is
   * injected once the worker is ready, or (`afterProgress`) once the job reported a zipped file.
   */
  async function runWithFault(name: string, files: number, fault: () => void, afterProgress = false): Promise<{ id: string; log: string[]; data: ZipJobProgress[] }> {
    slowSource(name, files, 6_000);
    const worker = startZipWorker(inProcessConfig(`waits-${name}`));
    try {
      await worker.waitUntilReady();
      if (!afterProgress) fault();
      const added = await enqueueZip(queue, job(name));
      if (afterProgress) {
        await waitFor(`progress of ${name}`, () => progress.some((p) => p.jobId === added.id && (p.data.files ?? 0) >= 1), 10_000, POLL_MS);
        fault();
      }
      await waitFor(`the job ${name} to finish`, async () => (await queue.getJob(added.id ?? ''))?.finishedOn !== undefined, 20_000, POLL_MS);
      const done = await queue.getJob(added.id ?? '');
      expect({ state: await done?.getState(), failedReason: done?.failedReason }).toEqual({ state: 'completed', failedReason: undefined });
      expect(done?.progress).toMatchObject({ state: 'done', fraction: 1 });
      const data = progress.filter((p) => p.jobId === added.id).map((p) => p.data);
      const log = await jobLog(added.id);
      // Neither the token nor the emulator's error text reaches Redis.
      expect(JSON.stringify([log, data, done?.progress])).not.toContain(user.auth);
      expect(JSON.stringify(log)).not.toMatch(/server-text|Service Unavailable/i);
      return { id: added.id ?? '', log, data };
    } finally {
      fake.clearFaults();
      await worker.close();
    }
  }

  it('an HTTP 503 with Retry-After: one log line with its reason and attempt, state retrying, then running again', async () => {
    // 6 x 6 kB: about 3 s, still zipping after the 1 s wait (the fault comes after the first file).
    const { id, log, data } = await runWithFault(
      'retry-503',
      6,
      () => {
        fake.inject('savezipprogress', { type: 'http', status: 503, body: 'server-text', headers: { 'Retry-After': '1' } });
      },
      true,
    );
    const host = new URL(fake.url).host;
    const retries = log.filter((line) => line.startsWith('retrying'));
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(new RegExp(`^retrying in \\d+(\\.\\d)? s: HTTP 503 from ${host.replace(/\./g, '\\.')} \\(attempt 1 of 5\\)$`));
    const retrying = data.find((d) => d.state === 'retrying');
    expect(retrying?.retry).toMatchObject({ attempt: 1, maxRetries: 5, reason: 'HTTP 503' });
    expect(retrying?.retry?.delayMs).toBeGreaterThanOrEqual(1_000);
    // The counts of before the wait, but no ETA: it would be stale by the wait.
    expect(typeof retrying?.files).toBe('number');
    expect(retrying?.etaMs).toBeNull();
    // After the wait, progress again ('running'), then done.
    const states = statesOf(id);
    expect(states.slice(states.indexOf('retrying'))).toEqual(expect.arrayContaining(['retrying', 'running', 'done']));
    expect(states.lastIndexOf('running')).toBeGreaterThan(states.indexOf('retrying'));
    expect(states.at(-1)).toBe('done');
  }, 30_000);

  it('pCloud rate limiting (4000): one "throttled" line, state throttled, then running again', async () => {
    // The library waits a rate limit out at least 4.7 s (rate-limit-wait.ts, the default schedule):
    // 16 x 6 kB at 12 kB/s, about 8 s, still zipping when polling resumes.
    const { id, log, data } = await runWithFault('throttle-4000', 16, () => {
      fake.inject('savezipprogress', { type: 'api-error', code: 4000, error: 'server-text: too many login tries' });
    });
    expect(log.filter((line) => line.startsWith('throttled'))).toEqual([expect.stringMatching(/^throttled by pCloud \(4000\): retrying in \d+(\.\d)? s \(attempt 1 of 5\)$/)]);
    const throttled = data.find((d) => d.state === 'throttled');
    expect(throttled?.retry).toMatchObject({ attempt: 1, maxRetries: 5, reason: 'pCloud error 4000' });
    expect(throttled?.retry?.delayMs).toBeGreaterThanOrEqual(4_700);
    const states = statesOf(id);
    expect(states.lastIndexOf('running')).toBeGreaterThan(states.indexOf('throttled'));
    expect(states.at(-1)).toBe('done');
  }, 30_000);

  it('a re-attach (zipProgressEvents$ in resume.ts) tells its waits the same way', async () => {
    // 18 x 6 kB at 12 kB/s: about 9 s, still running when the second worker re-attaches.
    slowSource('reattach-503', 18, 6_000);
    const handed = await enqueueZip(queue, job('reattach-503'));
    const first = startZipWorker(inProcessConfig('waits-first'));
    try {
      await waitFor('progress from the first worker', () => progress.some((p) => p.jobId === handed.id && p.data.worker === 'waits-first' && p.data.fraction < 1), 10_000, POLL_MS);
    } finally {
      await stopZipWorker(first);
    }
    fake.inject('savezipprogress', { type: 'http', status: 503, headers: { 'Retry-After': '1' } });
    const second = startZipWorker(inProcessConfig('waits-second'));
    try {
      await waitFor('the re-attached job to finish', async () => (await queue.getJob(handed.id ?? ''))?.finishedOn !== undefined, 25_000, POLL_MS);
    } finally {
      fake.clearFaults();
      await second.close();
    }
    const done = await queue.getJob(handed.id ?? '');
    expect(await done?.getState()).toBe('completed');
    const log = await jobLog(handed.id);
    const reattach = log.findIndex((line) => line.startsWith('re-attaching'));
    expect(reattach).toBeGreaterThanOrEqual(0);
    // The retry line is the re-attach's: after it, with the second worker's name on it.
    expect(log.slice(reattach).filter((line) => /^retrying in .* s: HTTP 503 from .* \(attempt 1 of 5\)$/.test(line))).toHaveLength(1);
    const { logs } = await queue.getJobLogs(handed.id ?? '');
    expect(logs.filter((line) => line.startsWith('waits-second: retrying in'))).toHaveLength(1);
    const second$ = progress.filter((p) => p.jobId === handed.id && p.data.worker === 'waits-second').map((p) => p.data.state);
    expect(second$).toContain('retrying');
    expect(second$.lastIndexOf('running')).toBeGreaterThan(second$.indexOf('retrying'));
    expect(JSON.stringify([logs, progress.filter((p) => p.jobId === handed.id)])).not.toContain(user.auth);
  }, 40_000);
});
