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
 * producer gives each job its own destination, which makes that check sufficient.
 */
import { hostname } from 'node:os';
import { type Job, type Processor, UnrecoverableError, Worker } from 'bullmq';
import { concatMap, filter, lastValueFrom } from 'rxjs';
import {
  type Credentials,
  DEFAULT_API_URL,
  PCloudApiError,
  PCloudErrorCode,
  type PCloudFileMetadata,
  POLLING_DEFAULTS,
  saveZip$,
  type SaveZipDestination,
  type SaveZipTree,
  type ZipJobRef,
  type ZipProgress,
} from '../../lib/index.js';
import { checkRedisUrl, shownRedisUrl } from './redis.js';
import { resumeZip } from './resume.js';

/** The queue both sides use unless ZIP_QUEUE says otherwise. */
export const DEFAULT_QUEUE = 'pcloud-zip';

/** The Redis all three scripts use unless REDIS_URL says otherwise. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** A job: what to zip and where to save it (one destination per job, see the file comment). */
export interface ZipJobData {
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
 * always ends with `fraction: 1`; its counts are null only when no attempt ever saw progress
 * (a zip recovered from an earlier attempt that died before its first poll).
 */
export interface ZipJobProgress {
  readonly fraction: number;
  readonly files: number | null;
  readonly totalfiles: number | null;
  readonly bytes: number | null;
  readonly totalbytes: number | null;
  readonly etaMs: number | null;
  readonly attempt: number;
  readonly worker: string;
}

export interface WorkerConfig {
  readonly redisUrl: string;
  readonly queue: string;
  readonly apiUrl: string;
  readonly credentials: Credentials;
  readonly name: string;
  readonly concurrency: number;
  /** Short values let another worker take over a killed worker's job sooner (BullMQ stall check). */
  readonly lockDuration: number;
  readonly stalledInterval: number;
}

/** `signal.reason` when the worker itself is stopping: the job is retried, not cancelled. */
export const SHUTDOWN_REASON = 'worker shutting down';

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
  if (!auth && !accessToken) throw new WorkerConfigError('no pCloud token: set PCLOUD_AUTH (or PCLOUD_ACCESS_TOKEN for OAuth) in the environment');
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
    credentials: auth ? { auth } : { accessToken },
    name: env.WORKER_NAME ?? `${hostname()}:${process.pid}`,
    concurrency: positive(env, 'WORKER_CONCURRENCY', 2),
    lockDuration: positive(env, 'WORKER_LOCK_DURATION', 30_000),
    stalledInterval: positive(env, 'WORKER_STALLED_INTERVAL', 30_000),
  };
}

function isZipMetadata(value: unknown, name: string): value is PCloudFileMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return entry.isfolder === false && entry.name === name && typeof entry.fileid === 'number' && typeof entry.size === 'number' &&
    typeof entry.id === 'string' && (entry.contenttype === undefined || entry.contenttype === 'application/zip');
}

/**
 * The file at the job's destination if an earlier attempt saved it: a zip created no earlier than
 * the job itself (pCloud dates have second precision). Undefined when it is anything else.
 */
async function zipFromEarlierAttempt(config: WorkerConfig, job: Job<ZipJobData>, signal?: AbortSignal): Promise<PCloudFileMetadata | undefined> {
  const { topath, tofolderid, toname } = job.data.destination;
  const slash = topath?.lastIndexOf('/') ?? -1;
  const name = topath === undefined ? toname : topath.slice(slash + 1);
  if (name === undefined) return undefined;
  const body = new URLSearchParams(topath === undefined ? { folderid: String(tofolderid) } : { path: topath.slice(0, slash) || '/' });
  const headers: Record<string, string> = {};
  // Like the library: credentials in the body or a header, never in the URL.
  if (config.credentials.auth !== undefined) body.set('auth', config.credentials.auth);
  else if (config.credentials.accessToken !== undefined) headers.Authorization = `Bearer ${config.credentials.accessToken}`;
  // Bounded like the library's own requests, and aborted with the job.
  const timeout = AbortSignal.timeout(POLLING_DEFAULTS.requestTimeout);
  const response = await fetch(`${config.apiUrl.replace(/\/+$/, '')}/listfolder`, {
    method: 'POST',
    body,
    headers,
    redirect: 'error',
    signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
  });
  const answer = (await response.json()) as { result?: unknown; metadata?: { contents?: unknown } };
  const contents = answer.result === 0 && Array.isArray(answer.metadata?.contents) ? (answer.metadata.contents as unknown[]) : [];
  const found = contents.find((entry): entry is PCloudFileMetadata => isZipMetadata(entry, name));
  if (found === undefined) return undefined;
  const created = Date.parse(found.created ?? '');
  return created >= Math.floor(job.timestamp / 1000) * 1000 ? found : undefined;
}

function progressOf(progress: ZipProgress, job: Job<ZipJobData>, worker: string): ZipJobProgress {
  const { fraction, files, totalfiles, bytes, totalbytes, etaMs } = progress;
  return { fraction, files, totalfiles, bytes, totalbytes, etaMs: etaMs ?? null, attempt: job.attemptsStarted, worker };
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
  return { fraction: 1, files: totalfiles, totalfiles, bytes: totalbytes, totalbytes, etaMs: 0, attempt, worker };
}

/** BullMQ retries plain errors (per the job's `attempts`) and never an `UnrecoverableError`. */
function asJobError(error: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) {
    // Shutdown hands the job back for another worker; a cancellation (worker.cancelJob) is final.
    const reason: unknown = signal.reason;
    return reason === SHUTDOWN_REASON ? new Error(SHUTDOWN_REASON) : new UnrecoverableError(`cancelled: ${String(reason)}`);
  }
  // saveZip$ validates the job data before any request: the same data would fail again.
  if (error instanceof TypeError) return new UnrecoverableError(`invalid job data: ${error.message}`);
  // savezip refusals (bad tree, missing folder, over quota, ...) repeat; progress failures may not.
  if (error instanceof PCloudApiError && error.method === 'savezip' && !error.transient) return new UnrecoverableError(error.message);
  return error instanceof Error ? error : new Error(String(error));
}

/** Starts the job's zip and watches it; the reference is stored before any progress is reported. */
async function startZip(config: WorkerConfig, job: Job<ZipJobData>, signal: AbortSignal | undefined): Promise<PCloudFileMetadata> {
  const save$ = saveZip$({ ...config.credentials, apiUrl: config.apiUrl, signal, ...job.data.tree, ...job.data.destination });
  return lastValueFrom(
    save$.pipe(
      // concatMap: one Redis write at a time, in order, and a failed write fails the job.
      concatMap(async (event) => {
        switch (event.type) {
          case 'started':
            // From here on a retry re-attaches instead of zipping again (the zip outlives us).
            await job.updateData({ ...job.data, zipJob: event.job });
            return undefined;
          case 'saved':
            return event.metadata;
          case 'progress':
            await job.updateProgress(progressOf(event.progress, job, config.name));
            return undefined;
          default:
            // Events this worker does not know (a newer library's) are not its business.
            return undefined;
        }
      }),
      filter((saved): saved is PCloudFileMetadata => saved !== undefined),
    ),
  );
}

/** Where a job saves its zip, for messages. */
function destinationText(destination: SaveZipDestination): string {
  return destination.topath ?? `${destination.toname ?? '?'} in folder ${String(destination.tofolderid)}`;
}

/** The job processor: exported so it can run in-process (tests) as well as in `main`. */
export function zipProcessor(config: WorkerConfig): Processor<ZipJobData, PCloudFileMetadata> {
  return async (job, _token, signal) => {
    // Whichever way the job succeeds, its progress ends at 100%: a retry that recovers the zip
    // of an attempt that died would otherwise leave that attempt's last percentage behind.
    const succeed = async (metadata: PCloudFileMetadata): Promise<PCloudFileMetadata> => {
      await job.updateProgress(finalProgress(job.progress, job.attemptsStarted, config.name));
      return metadata;
    };
    try {
      const ref = job.data.zipJob;
      if (ref !== undefined) {
        // An earlier attempt sent savezip: watch that zip rather than start another.
        const onProgress = (progress: ZipProgress): Promise<void> => job.updateProgress(progressOf(progress, job, config.name));
        const resumed = await resumeZip(ref, { credentials: config.credentials, apiUrl: config.apiUrl, signal, onProgress });
        if (resumed.kind === 'saved') return await succeed(resumed.metadata);
        if (resumed.kind === 'taken') {
          throw new UnrecoverableError(`${destinationText(job.data.destination)} holds a file older than this job: its zip could not be saved there`);
        }
        // 'gone': pCloud forgot the job (long finished) or never got it; start over below.
      }
      return await succeed(await startZip(config, job, signal));
    } catch (error) {
      // Only a retry can meet its own zip: on a first attempt, 2004 means the path was taken.
      if (error instanceof PCloudApiError && error.code === PCloudErrorCode.AlreadyExists && job.attemptsStarted > 1 && !signal?.aborted) {
        const earlier = await zipFromEarlierAttempt(config, job, signal);
        if (earlier !== undefined) return succeed(earlier);
      }
      throw asJobError(error, signal);
    }
  };
}

/** Starts consuming the queue. */
export function startZipWorker(config: WorkerConfig): Worker<ZipJobData, PCloudFileMetadata> {
  return new Worker<ZipJobData, PCloudFileMetadata>(config.queue, zipProcessor(config), {
    connection: { url: config.redisUrl },
    name: config.name,
    concurrency: config.concurrency,
    lockDuration: config.lockDuration,
    stalledInterval: config.stalledInterval,
  });
}

function main(): void {
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
  const worker = startZipWorker(config);
  const log = (line: string): void => {
    console.log(`[${config.name}] ${line}`);
  };
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
    // Abort running zips so close() does not wait for them; BullMQ retries them elsewhere.
    worker.cancelAllJobs(SHUTDOWN_REASON);
    // Bounded: a wedged Redis must not keep a stopping process alive.
    setTimeout(() => process.exit(1), 10_000).unref();
    worker.close().then(
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
  log(`consuming '${config.queue}' on ${shownRedisUrl(config.redisUrl)} (concurrency ${config.concurrency})`);
}

// Run only as a program, not when the producer or a test imports the job contract from here.
if (/[\\/]worker\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) main();
