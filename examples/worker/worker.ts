/**
 * A BullMQ worker that saves pCloud zips with `saveZip$`, one job per zip.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 PCLOUD_AUTH=... npx tsx examples/worker/worker.ts
 *
 * Progress goes to `job.updateProgress`, the saved file's metadata is the job's return value.
 * Retries never start a second zip: pCloud keeps zipping after a client goes away, so as soon as
 * `savezip` is sent the job's data gets the zip's reference (`job.updateData`, the `started`
 * event), and a retried attempt re-attaches to that zip (`zipProgress$({ job })`, then
 * `zipFileMetadata$`). Only when pCloud no longer knows it (1901), or when the attempt died
 * before the reference was stored, does the retry send `savezip` again; if that answers 2004, the
 * worker checks that the file is a zip created since the job was enqueued and returns it. The
 * producer gives each job its own destination (the job id is derived from it), which makes that
 * check sufficient.
 *
 * A stopping worker hands its jobs back without spending an attempt (BullMQ's `moveToDelayed` and
 * `DelayedError`), so deploys during a zip of hours cost nothing; a crash is a BullMQ stall, of
 * which a job survives `maxStalledCount`. Each decision goes to the job's log (`job.log`), and so
 * does each wait the library reports (a retry, pCloud throttling), also told in the job's progress
 * data (`state`, see waits.ts).
 */
import { hostname } from 'node:os';
import { DelayedError, type Job, type Processor, UnrecoverableError, Worker } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { concatMap, filter, lastValueFrom, tap } from 'rxjs';
import {
  type Credentials,
  DEFAULT_API_URL,
  PCloudApiError,
  PCloudErrorCode,
  type PCloudFileMetadata,
  saveZip$,
  type SaveZipDestination,
  type SaveZipTree,
  zipFileMetadata$,
  type ZipJobRef,
  type ZipProgress,
  type ZipProgressEvent,
} from '../../lib/node.js';
import { traceSaveZip } from '../../lib/otel/node.js';
import { AccountsFileError, credentialsFor, readAccountsFile, type WorkerAccounts } from './accounts.js';
import { describeZipJob } from './job-id.js';
import { checkRedisUrl, shownRedisUrl } from './redis.js';
import { resumeZip } from './resume.js';
import { startTelemetry } from './telemetry.js';
import { hostOf, waitLine, waitState, type ZipJobRetry, type ZipJobState } from './waits.js';

/** The queue both sides use unless ZIP_QUEUE says otherwise. */
export const DEFAULT_QUEUE = 'pcloud-zip';

/** The Redis all three scripts use unless REDIS_URL says otherwise. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** A job: what to zip and where to save it (one destination per job, see the file comment). */
export interface ZipJobData {
  /**
   * The account to zip in: a name the worker maps to credentials (`PCLOUD_ACCOUNTS_FILE`), never
   * a token (job data sits in Redis in clear). Absent: the worker's default account.
   */
  readonly account?: string;
  readonly tree: SaveZipTree;
  readonly destination: SaveZipDestination;
  /**
   * Set by the worker as soon as `savezip` is sent (JSON-safe): the zip a retried attempt
   * re-attaches to. Producers leave it out.
   */
  readonly zipJob?: ZipJobRef;
}

/**
 * What `job.updateProgress` receives (JSON: `etaMs` is null while unknown). A successful job
 * always ends with `fraction: 1` and state `done`; its counts are null only when no attempt ever
 * saw progress (a zip recovered from an earlier attempt that died before its first poll). During
 * a wait (`retrying`, `throttled`, `waiting`, `paused`) the counts are the latest known ones and
 * `etaMs` is null: an ETA from before the wait would be stale by it (the next snapshot has one).
 */
export interface ZipJobProgress {
  /** Absent in progress written by a worker older than the field: read it as `running`. */
  readonly state?: ZipJobState;
  /** The retry under way, while `state` is `retrying` or `throttled`. */
  readonly retry?: ZipJobRetry;
  readonly fraction: number;
  readonly files: number | null;
  readonly totalfiles: number | null;
  readonly bytes: number | null;
  readonly totalbytes: number | null;
  readonly etaMs: number | null;
  readonly attempt: number;
  readonly worker: string;
}

export interface WorkerConfig extends WorkerAccounts {
  readonly redisUrl: string;
  readonly queue: string;
  readonly apiUrl: string;
  readonly name: string;
  readonly concurrency: number;
  /**
   * How soon another worker takes over a crashed worker's job: within about lockDuration +
   * stalledInterval (BullMQ's stall check). A live worker renews its locks every lockDuration / 2
   * however long the zip runs.
   */
  readonly lockDuration: number;
  readonly stalledInterval: number;
  /** Crashes (stalls) one job survives; the next fails it, whatever its attempts. */
  readonly maxStalledCount: number;
  /** Where the worker's decisions also go, besides each job's log (`main`: the console). */
  readonly log?: (line: string) => void;
}

/** `signal.reason` when the worker itself is stopping: the job is handed back, not cancelled. */
export const SHUTDOWN_REASON = 'worker shutting down';

/**
 * How long a handed-back job waits before a worker may take it: long enough for the stopping
 * worker's own fetch loop to be gone, short enough not to matter to a zip.
 */
export const HAND_BACK_DELAY_MS = 250;

/**
 * Crashes a job survives (BullMQ's default is 1: a second crash during one zip of hours would
 * fail it). A crash costs a re-attach, not a second zip; graceful stops do not count. Ten crashes
 * during one job say something is wrong with the job or the fleet: then it fails, with "job
 * stalled more than allowable limit".
 */
export const DEFAULT_MAX_STALLED_COUNT = 10;

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(/^\d+$/.test(raw.trim()) && Number.isSafeInteger(value) && value > 0)) throw new WorkerConfigError(`${name} must be a whole number > 0, got '${raw}'`);
  return value;
}

/** A configuration that cannot work; the message names the variable and what to set. */
export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
}

/** Reads the configuration from the environment; throws {@link WorkerConfigError} naming the variable that is wrong. */
export function configFromEnv(env: NodeJS.ProcessEnv): WorkerConfig {
  const auth = env.PCLOUD_AUTH;
  const accessToken = env.PCLOUD_ACCESS_TOKEN;
  const accountsFile = env.PCLOUD_ACCOUNTS_FILE;
  if (!auth && !accessToken && !accountsFile) {
    throw new WorkerConfigError('no pCloud token: set PCLOUD_AUTH (or PCLOUD_ACCESS_TOKEN for OAuth), or PCLOUD_ACCOUNTS_FILE, in the environment');
  }
  let accounts: ReadonlyMap<string, Credentials> | undefined;
  try {
    accounts = accountsFile ? readAccountsFile(accountsFile) : undefined;
  } catch (error) {
    if (!(error instanceof AccountsFileError)) throw error;
    throw new WorkerConfigError(`PCLOUD_ACCOUNTS_FILE: ${error.message}`);
  }
  const redisUrl = env.REDIS_URL ?? DEFAULT_REDIS_URL;
  try {
    checkRedisUrl(redisUrl);
  } catch (error) {
    throw new WorkerConfigError(error instanceof Error ? error.message : String(error));
  }
  return {
    redisUrl,
    queue: env.ZIP_QUEUE ?? DEFAULT_QUEUE,
    apiUrl: env.PCLOUD_API_URL ?? DEFAULT_API_URL,
    ...(auth ? { credentials: { auth } } : accessToken ? { credentials: { accessToken } } : {}),
    ...(accounts === undefined ? {} : { accounts }),
    name: env.WORKER_NAME ?? `${hostname()}:${process.pid}`,
    concurrency: positive(env, 'WORKER_CONCURRENCY', 2),
    lockDuration: positive(env, 'WORKER_LOCK_DURATION', 30_000),
    stalledInterval: positive(env, 'WORKER_STALLED_INTERVAL', 30_000),
    maxStalledCount: positive(env, 'WORKER_MAX_STALLED_COUNT', DEFAULT_MAX_STALLED_COUNT),
  };
}

/**
 * The zip at the job's destination if an earlier attempt saved it: the file `savezip` just
 * refused to overwrite (2004), if it was created no earlier than the job itself (pCloud dates
 * have second precision). Asked through the library, as the job's account (`sent`: this
 * attempt's own `savezip`). Undefined when it is anything else or not there.
 */
async function zipFromEarlierAttempt(sent: ZipJobRef, job: Job<ZipJobData>, connection: Connection): Promise<PCloudFileMetadata | undefined> {
  let found: PCloudFileMetadata;
  try {
    found = await lastValueFrom(zipFileMetadata$({ ...connection, job: sent }));
  } catch (error) {
    if (error instanceof PCloudApiError && !error.transient) return undefined;
    throw error;
  }
  if (found.isfolder || (found.contenttype !== undefined && found.contenttype !== 'application/zip')) return undefined;
  const created = Date.parse(found.created ?? '');
  return created >= Math.floor(job.timestamp / 1000) * 1000 ? found : undefined;
}

function progressOf(progress: ZipProgress, job: Job<ZipJobData>, worker: string): ZipJobProgress {
  const { fraction, files, totalfiles, bytes, totalbytes, etaMs } = progress;
  return { state: 'running', fraction, files, totalfiles, bytes, totalbytes, etaMs: etaMs ?? null, attempt: job.attemptsStarted, worker };
}

function isZipJobProgress(value: unknown): value is ZipJobProgress {
  return typeof value === 'object' && value !== null && typeof (value as Partial<ZipJobProgress>).fraction === 'number';
}

/**
 * The progress of a job that ended successfully: done, with the totals of the latest progress
 * any attempt reported (this one's, else the one BullMQ kept from an earlier attempt), or null
 * counts when none did.
 */
export function finalProgress(latest: unknown, attempt: number, worker: string): ZipJobProgress {
  const known = isZipJobProgress(latest) && latest.totalfiles !== null && latest.totalbytes !== null;
  const totalfiles = known ? latest.totalfiles : null;
  const totalbytes = known ? latest.totalbytes : null;
  return { state: 'done', fraction: 1, files: totalfiles, totalfiles, bytes: totalbytes, totalbytes, etaMs: 0, attempt, worker };
}

/**
 * Reports each event of a zip's stream, one at a time: progress to the job's progress data; a
 * wait to the progress data (its state, with the latest counts) and as one line to the job's log
 * (a run of `waiting` as its first line only). A failed log write is reported to the worker's log
 * and does not fail the job; a failed progress write does, like any progress write.
 */
function eventReporter(job: Job<ZipJobData>, config: WorkerConfig, apiUrl: string, note: Note): (event: ZipProgressEvent) => Promise<void> {
  const host = hostOf(apiUrl);
  // An earlier attempt's progress until this one has its own.
  let latest: ZipJobProgress | undefined = isZipJobProgress(job.progress) ? job.progress : undefined;
  // This attempt's own run of waiting: an earlier attempt's state does not count.
  let waiting = false;
  return async (event) => {
    if (event.type === 'progress') {
      waiting = false;
      latest = progressOf(event.progress, job, config.name);
      await job.updateProgress(latest);
      return;
    }
    const { state, retry } = waitState(event);
    if (!(state === 'waiting' && waiting)) {
      const line = waitLine(event, host);
      await note(line).catch((error: unknown) => {
        config.log?.(`job ${job.id ?? '?'}: could not write to the job's log (${error instanceof Error ? error.message : String(error)}): ${line}`);
      });
    }
    waiting = state === 'waiting';
    const { fraction = 0, files = null, totalfiles = null, bytes = null, totalbytes = null } = latest ?? {};
    // No ETA during a wait: the last one goes stale by the wait; the answer that ends it brings one.
    latest = { state, ...(retry === undefined ? {} : { retry }), fraction, files, totalfiles, bytes, totalbytes, etaMs: null, attempt: job.attemptsStarted, worker: config.name };
    await job.updateProgress(latest);
  };
}

/** BullMQ retries plain errors (per the job's `attempts`) and never an `UnrecoverableError`. */
function asJobError(error: unknown, signal: AbortSignal | undefined): Error {
  // A cancellation (worker.cancelJob) is final; a shutdown was handed back before this.
  if (signal?.aborted) return new UnrecoverableError(`cancelled: ${String(signal.reason)}`);
  // saveZip$ validates the job data before any request: the same data would fail again.
  if (error instanceof TypeError) return new UnrecoverableError(`invalid job data: ${error.message}`);
  // savezip refusals (bad tree, missing folder, over quota, ...) repeat; progress failures may not.
  if (error instanceof PCloudApiError && error.method === 'savezip' && !error.transient) return new UnrecoverableError(error.message);
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * `saveZip$` recording each zip as a `pcloud savezip` span (its requests below it) inside
 * BullMQ's `process` span: nothing is recorded until an OpenTelemetry SDK is registered.
 */
const tracedSaveZip$ = traceSaveZip(saveZip$);

/** What every pCloud call of one job is made with: its account, the API, its abort signal. */
type Connection = Credentials & { readonly apiUrl: string; readonly signal?: AbortSignal };

/** Writes a decision to the job's log (kept in Redis with the job) and to the worker's log. */
type Note = (line: string) => Promise<void>;

/**
 * Starts the job's zip and watches it; the reference is stored before any progress is reported.
 * On a retry, a 2004 from `savezip` may be this job's own zip, saved by an attempt that died
 * before it stored the reference: that zip is taken as the result.
 */
async function startZip(config: WorkerConfig, job: Job<ZipJobData>, connection: Connection, note: Note): Promise<PCloudFileMetadata> {
  const save$ = tracedSaveZip$({ ...connection, ...job.data.tree, ...job.data.destination });
  const report = eventReporter(job, config, connection.apiUrl, note);
  let sent: ZipJobRef | undefined;
  try {
    return await lastValueFrom(
      save$.pipe(
        // Synchronous: known even if savezip fails before the Redis write below is done.
        tap((event) => {
          if (event.type === 'started') sent = event.job;
        }),
        // concatMap: one Redis write at a time, in order, and a failed write fails the job.
        concatMap(async (event) => {
          switch (event.type) {
            case 'started':
              // From here on a retry re-attaches instead of zipping again (the zip outlives us).
              await job.updateData({ ...job.data, zipJob: event.job });
              await note(`savezip sent to ${describeZipJob(job.data)}; its reference is stored for retries`);
              return undefined;
            case 'saved':
              return event.metadata;
            case 'progress':
            case 'retrying':
            case 'waiting':
            case 'paused':
            case 'resumed':
              await report(event);
              return undefined;
            default:
              // Events this worker does not know (a newer library's) are not its business.
              return undefined;
          }
        }),
        filter((saved): saved is PCloudFileMetadata => saved !== undefined),
      ),
    );
  } catch (error) {
    // Only a retry can meet its own zip: on a first attempt, 2004 means the path was taken.
    if (error instanceof PCloudApiError && error.code === PCloudErrorCode.AlreadyExists && job.attemptsStarted > 1 && sent !== undefined && !connection.signal?.aborted) {
      const earlier = await zipFromEarlierAttempt(sent, job, connection);
      if (earlier !== undefined) {
        await note(`savezip answered 2004: ${describeZipJob(job.data)} is a zip created since the job was enqueued, an earlier attempt's; taken as the result`);
        return earlier;
      }
    }
    throw error;
  }
}

/**
 * Hands a job back to the queue without spending an attempt (BullMQ's step-job pattern): moved to
 * the delayed set under this worker's lock, then `DelayedError`, which BullMQ does not count.
 */
async function handBack(job: Job<ZipJobData>, token: string | undefined, note: Note): Promise<never> {
  await note(`handed back: ${SHUTDOWN_REASON}; another worker re-attaches (no attempt spent)`);
  await job.moveToDelayed(Date.now() + HAND_BACK_DELAY_MS, token);
  throw new DelayedError(SHUTDOWN_REASON);
}

/** The job processor: exported so it can run in-process (tests) as well as in `main`. */
export function zipProcessor(config: WorkerConfig): Processor<ZipJobData, PCloudFileMetadata> {
  return async (job, token, signal) => {
    const note: Note = async (line) => {
      await job.log(`${config.name}: ${line}`);
      config.log?.(`job ${job.id ?? '?'}: ${line}`);
    };
    // Whichever way the job succeeds, its progress ends at 100%: a retry that recovers the zip
    // of an attempt that died would otherwise leave that attempt's last percentage behind.
    const succeed = async (metadata: PCloudFileMetadata): Promise<PCloudFileMetadata> => {
      await job.updateProgress(finalProgress(job.progress, job.attemptsStarted, config.name));
      return metadata;
    };
    try {
      const credentials = credentialsFor(config, job.data.account);
      const connection: Connection = { ...credentials, apiUrl: config.apiUrl, ...(signal === undefined ? {} : { signal }) };
      const ref = job.data.zipJob;
      if (ref !== undefined) {
        // An earlier attempt sent savezip: watch that zip rather than start another.
        await note(`re-attaching to the zip an earlier attempt started at ${new Date(ref.startedAt).toISOString()} (attempt ${job.attemptsStarted})`);
        // The host polled is the one pinned in the reference (the library checks it is trusted).
        const onEvent = eventReporter(job, config, ref.apiUrl, note);
        const resumed = await resumeZip(ref, { credentials, apiUrl: config.apiUrl, signal, onEvent });
        if (resumed.kind === 'saved') return await succeed(resumed.metadata);
        if (resumed.kind === 'taken') {
          const reason = `${describeZipJob(job.data)} holds a file older than this job: its zip could not be saved there`;
          await note(reason);
          throw new UnrecoverableError(reason);
        }
        // 'gone': pCloud forgot the job (long finished) or never got it; start over below.
        await note('pCloud no longer knows that zip (1901): sending savezip again');
      }
      return await succeed(await startZip(config, job, connection, note));
    } catch (error) {
      if (signal?.aborted && signal.reason === SHUTDOWN_REASON) return handBack(job, token, note);
      throw asJobError(error, signal);
    }
  };
}

/** The tracer name of BullMQ's own spans (`process`, ...) in the worker and the producer. */
export const BULLMQ_TRACER = 'pcloud-zip-worker';

/**
 * Starts consuming the queue. BullMQ's telemetry makes each job a `process` span, continuing the
 * trace of the producer's `add` (the job carries its context); the processor runs inside it.
 */
export function startZipWorker(config: WorkerConfig): Worker<ZipJobData, PCloudFileMetadata> {
  return new Worker<ZipJobData, PCloudFileMetadata>(config.queue, zipProcessor(config), {
    connection: { url: config.redisUrl },
    telemetry: new BullMQOtel({ tracerName: BULLMQ_TRACER }),
    name: config.name,
    concurrency: config.concurrency,
    lockDuration: config.lockDuration,
    stalledInterval: config.stalledInterval,
    maxStalledCount: config.maxStalledCount,
  });
}

/**
 * Stops a worker for a deploy: its running jobs are aborted and handed back to the queue without
 * spending an attempt (other workers re-attach to the zips pCloud goes on making), then it closes.
 */
export async function stopZipWorker(worker: Worker<ZipJobData, PCloudFileMetadata>): Promise<void> {
  worker.cancelAllJobs(SHUTDOWN_REASON);
  await worker.close();
}

function main(): void {
  // First: spans are recorded only once an SDK is registered (OTEL_TRACES_EXPORTER=console).
  const tracing = startTelemetry(process.env);
  let config: WorkerConfig;
  try {
    config = configFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof WorkerConfigError)) throw error;
    // One line, no stack: the fix is in the environment, not in the code.
    console.error(`worker: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  const log = (line: string): void => {
    console.log(`[${config.name}] ${line}`);
  };
  const worker = startZipWorker({ ...config, log });
  worker.on('active', (job) => {
    log(`job ${job.id ?? '?'} attempt ${job.attemptsStarted}: started`);
  });
  worker.on('completed', (job, metadata) => {
    log(`job ${job.id ?? '?'}: saved ${metadata.path ?? metadata.name} (${metadata.size} bytes)`);
  });
  worker.on('failed', (job, error) => {
    log(`job ${job?.id ?? '?'}: ${error.message}`);
  });
  // Without a listener, a Redis hiccup would be an unhandled 'error' event and kill the process.
  worker.on('error', (error) => {
    log(`error: ${error.message}`);
  });
  const stop = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping`);
    // Bounded: a wedged Redis must not keep a stopping process alive.
    setTimeout(() => process.exit(1), 10_000).unref();
    // Running zips are handed back (no attempt spent) so close() does not wait for them.
    stopZipWorker(worker).then(
      () => {
        log('stopped');
      },
      (error: unknown) => {
        log(`close failed: ${String(error)}`);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The host only: a redis:// URL may carry a password.
  log(`consuming '${config.queue}' on ${shownRedisUrl(config.redisUrl)} (concurrency ${config.concurrency})${tracing ? '; spans to the console' : ''}`);
}

// Run only as a program, not when the producer or a test imports the job contract from here.
if (/[\\/]worker\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) main();
