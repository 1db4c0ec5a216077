/**
 * Enqueues pCloud zip jobs for examples/worker/worker.ts.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/worker/producer.ts --folderid 0 --topath /zips/all.zip
 *   npx tsx examples/worker/producer.ts --fileids 11,12 --tofolderid 5 --toname pair.zip
 *
 * Give every job its own destination: the worker's retry logic relies on it (see worker.ts).
 */
import { type Job, type JobsOptions, Queue } from 'bullmq';
import type { PCloudFileMetadata } from '../../lib/index.js';
import { DEFAULT_QUEUE, DEFAULT_REDIS_URL, type ZipJobData } from './worker.js';

export type ZipQueue = Queue<ZipJobData, PCloudFileMetadata>;

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

export function openZipQueue(redisUrl: string, name: string = DEFAULT_QUEUE): ZipQueue {
  return new Queue<ZipJobData, PCloudFileMetadata>(name, { connection: { url: redisUrl } });
}

export function enqueueZip(queue: ZipQueue, data: ZipJobData, options: JobsOptions = {}): Promise<Job<ZipJobData, PCloudFileMetadata>> {
  return queue.add('savezip', data, { ...ZIP_JOB_OPTIONS, ...options });
}

/** `--name value` pairs into job data; the worker (saveZip$) validates the combination. */
export function jobFromArgs(argv: readonly string[]): ZipJobData {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const value = argv[i + 1];
    if (!flag.startsWith('--') || value === undefined) throw new Error(`Expected --name value pairs, got '${flag}'`);
    args.set(flag.slice(2), value);
  }
  const id = (name: string): number | undefined => (args.has(name) ? Number(args.get(name)) : undefined);
  const list = (name: string): number[] | undefined => args.get(name)?.split(',').map(Number);
  // Absent options stay undefined, which the job's JSON drops.
  return {
    tree: { folderid: id('folderid'), folderids: list('folderids'), fileids: list('fileids') },
    destination: { topath: args.get('topath'), tofolderid: id('tofolderid'), toname: args.get('toname') },
  };
}

async function main(): Promise<void> {
  const queue = openZipQueue(process.env.REDIS_URL ?? DEFAULT_REDIS_URL, process.env.ZIP_QUEUE ?? DEFAULT_QUEUE);
  try {
    const job = await enqueueZip(queue, jobFromArgs(process.argv.slice(2)));
    console.log(`enqueued job ${job.id ?? '?'}`);
  } finally {
    await queue.close();
  }
}

if (/[\\/]producer\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
