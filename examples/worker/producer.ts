/**
 * Enqueues pCloud zip jobs for examples/worker/worker.ts.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/worker/producer.ts --folderid 0 --topath /zips/all.zip
 *   npx tsx examples/worker/producer.ts --fileids 11,12 --tofolderid 5 --toname pair.zip
 *
 * One job per destination: the job id is derived from the account and destination (job-id.ts), so
 * a second job for the same zip is refused; the worker's retry logic relies on it (see worker.ts).
 */
import { parseArgs } from 'node:util';
import { type Job, type JobsOptions, Queue } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { type PCloudFileMetadata, saveZip$ } from '../../lib/node.js';
import { describeZipJob, DuplicateZipJobError, zipJobId } from './job-id.js';
import { boundedConnection, checkRedisUrl, shownRedisUrl } from './redis.js';
import { startTelemetry } from './telemetry.js';
import { BULLMQ_TRACER, DEFAULT_QUEUE, DEFAULT_REDIS_URL, type ZipJobData } from './worker.js';

export type ZipQueue = Queue<ZipJobData, PCloudFileMetadata>;

export const PRODUCER_USAGE = `Usage: npx tsx examples/worker/producer.ts TREE DESTINATION

Enqueues one pCloud zip job for examples/worker/worker.ts, on the Redis of REDIS_URL
(default ${DEFAULT_REDIS_URL}) and the queue ZIP_QUEUE (default ${DEFAULT_QUEUE}).
  TREE          --folderid ID | --folderids ID,ID | --fileids ID,ID
  DESTINATION   --topath /full/path.zip | --tofolderid ID --toname NAME (one job per destination)
  --account NAME  the worker's account to zip in (PCLOUD_ACCOUNTS_FILE); default: its PCLOUD_AUTH
  --help        this text`;

/**
 * Retries cover transient failures and a worker that dies (BullMQ's stall check puts its job
 * back); finished jobs are kept a day so their metadata can be read back.
 */
export const ZIP_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Connection attempts of the command line before it gives up on Redis. */
export const PRODUCER_CONNECT_ATTEMPTS = 3;

/**
 * The queue on `redisUrl`. With `connectAttempts`, a Redis that cannot be reached fails the
 * pending calls after that many attempts (a command-line tool); without, it reconnects forever
 * (a long-running service that should ride out a Redis restart).
 */
export function openZipQueue(redisUrl: string, name: string = DEFAULT_QUEUE, { connectAttempts }: { connectAttempts?: number } = {}): ZipQueue {
  const connection = connectAttempts === undefined ? { url: redisUrl } : boundedConnection(redisUrl, connectAttempts);
  // BullMQ's telemetry: each `add` is a span whose context the job carries to the worker's `process`.
  return new Queue<ZipJobData, PCloudFileMetadata>(name, { connection, telemetry: new BullMQOtel({ tracerName: BULLMQ_TRACER }) });
}

/**
 * Throws the TypeError saveZip$ would throw for this job (no tree, no or two destinations, a bad
 * id or path), so that a job the worker would refuse never enters the queue. Building the
 * observable validates it; nothing is sent, as nothing subscribes.
 */
export function validateZipJob(data: ZipJobData): void {
  if (data.account !== undefined && (typeof data.account !== 'string' || data.account === '')) throw new TypeError('account must be a non-empty name');
  saveZip$({ ...data.tree, ...data.destination });
}

let lastTimestamp = 0;

/**
 * Date.now(), but never the same twice in this process: two adds in one millisecond would share
 * BullMQ's default creation time, and the duplicate check below could not tell them apart (seen
 * on Node 26 in CI). Two producer processes adding the same destination in the same millisecond
 * may both be told the job is theirs; one job is still all the queue holds.
 */
function nextTimestamp(): number {
  lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
  return lastTimestamp;
}

/**
 * Validates the job (see {@link validateZipJob}), then adds it under the id of its destination
 * ({@link zipJobId}); rejects with a TypeError on a bad job and with {@link DuplicateZipJobError}
 * when the queue holds a job for that destination (waiting, running, or ended and still kept).
 */
export async function enqueueZip(
  queue: ZipQueue,
  data: ZipJobData,
  options: Omit<JobsOptions, 'jobId' | 'timestamp'> = {},
): Promise<Job<ZipJobData, PCloudFileMetadata>> {
  validateZipJob(data);
  const jobId = zipJobId(data);
  const job = await queue.add('savezip', data, { ...ZIP_JOB_OPTIONS, ...options, jobId, timestamp: nextTimestamp() });
  // BullMQ answers an existing id with that id and adds nothing. The stored job is ours only if
  // it is the one just built (same creation time); else it is the earlier job.
  const stored = await queue.getJob(jobId);
  if (stored !== undefined && stored.timestamp !== job.timestamp) {
    throw new DuplicateZipJobError(jobId, await stored.getState(), describeZipJob(data));
  }
  return job;
}

/** A command line that cannot work: the message says what is wrong. */
export class ProducerUsageError extends Error {
  override readonly name = 'ProducerUsageError';
}

/** What the command line asks for. */
export type ProducerCommand = { readonly kind: 'help' } | { readonly kind: 'enqueue'; readonly job: ZipJobData };

/** An error's message on one line (duck-typed: node:util's errors may come from another realm). */
function errorText(error: unknown): string {
  const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}

/** Reads the command line (without node and the script); throws {@link ProducerUsageError}. */
export function parseProducerArgs(argv: readonly string[]): ProducerCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        folderid: { type: 'string' },
        folderids: { type: 'string' },
        fileids: { type: 'string' },
        topath: { type: 'string' },
        tofolderid: { type: 'string' },
        toname: { type: 'string' },
        account: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new ProducerUsageError(errorText(error));
  }
  if (values.help) return { kind: 'help' };
  // As typed: saveZip$ takes ids as digits and lists as pCloud's comma-separated strings, and
  // validateZipJob checks them with its rules. Absent options stay undefined (JSON drops them).
  return {
    kind: 'enqueue',
    job: {
      ...(values.account === undefined ? {} : { account: values.account }),
      tree: { folderid: values.folderid, folderids: values.folderids, fileids: values.fileids },
      destination: { topath: values.topath, tofolderid: values.tofolderid, toname: values.toname },
    },
  };
}

/** Where {@link main} writes its lines. */
export interface ProducerIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}


/**
 * The program; resolves to its exit code: 0 enqueued (or --help), 2 a bad command line or job,
 * 1 Redis unreachable or refusing, or a job for that destination already queued. Every failure is
 * one line on `err`.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: ProducerIo): Promise<number> {
  const usage = (message: string): number => {
    io.err(`producer: ${message} (--help shows the usage)`);
    return 2;
  };
  let command: ProducerCommand;
  try {
    command = parseProducerArgs(argv);
  } catch (error) {
    return usage(errorText(error));
  }
  if (command.kind === 'help') {
    io.out(PRODUCER_USAGE);
    return 0;
  }
  const redisUrl = env.REDIS_URL ?? DEFAULT_REDIS_URL;
  try {
    // Before connecting: a job the worker would refuse is refused here.
    validateZipJob(command.job);
    checkRedisUrl(redisUrl);
  } catch (error) {
    return usage(errorText(error));
  }
  // Before the queue exists: with OTEL_TRACES_EXPORTER=console its `add` span is printed.
  startTelemetry(env);
  const queue = openZipQueue(redisUrl, env.ZIP_QUEUE ?? DEFAULT_QUEUE, { connectAttempts: PRODUCER_CONNECT_ATTEMPTS });
  // Each failed attempt is also an 'error' event: listened to, else BullMQ prints its stack.
  queue.on('error', () => undefined);
  let connected = true;
  try {
    const job = await enqueueZip(queue, command.job);
    io.out(`enqueued job ${job.id ?? '?'}`);
    return 0;
  } catch (error) {
    if (error instanceof DuplicateZipJobError) {
      io.err(`producer: ${error.message}`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    const unreachable = typeof code === 'string' || /connection is closed|stream isn't writeable|max retries/i.test(errorText(error));
    const hint = unreachable ? ': is redis-server running there? Set REDIS_URL to your Redis' : '';
    connected = !unreachable;
    io.err(`producer: could not enqueue on Redis at ${shownRedisUrl(redisUrl)} (${errorText(error)})${hint}`);
    return 1;
  } finally {
    // After the last attempt the client has given up (ioredis status 'end'): closing it again
    // would only arm ioredis' 2 s disconnect timer and keep the process alive for nothing.
    if (connected) await queue.close();
  }
}

if (/[\\/]producer\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  void main(process.argv.slice(2), process.env, { out: (line) => { console.log(line); }, err: (line) => { console.error(line); } }).then((code) => {
    process.exitCode = code;
  });
}
