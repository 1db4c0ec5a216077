/**
 * Prints what the zip workers report, from any process: BullMQ's QueueEvents reads the queue's
 * event stream in Redis, so it needs no link to the workers.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/worker/events.ts
 */
import { QueueEvents } from 'bullmq';
import { DEFAULT_QUEUE, DEFAULT_REDIS_URL, type ZipJobProgress } from './worker.js';
import { formatDelay } from './waits.js';

function isZipProgress(data: unknown): data is ZipJobProgress {
  return typeof data === 'object' && data !== null && typeof (data as Partial<ZipJobProgress>).fraction === 'number';
}

function percent(progress: ZipJobProgress): string {
  const eta = progress.etaMs === null || progress.fraction >= 1 ? '' : `, ~${Math.ceil(progress.etaMs / 1000)} s left`;
  // Null counts: a recovered zip whose earlier attempt never reported any.
  const files = progress.totalfiles === null ? 'files unknown' : `${progress.files ?? '?'}/${progress.totalfiles} files`;
  return `${Math.floor(progress.fraction * 100)}% (${files}${eta}) on ${progress.worker}, attempt ${progress.attempt}${waiting(progress)}`;
}

/** The wait the zip is in, if any (the job's log has the full line). */
function waiting(progress: ZipJobProgress): string {
  const { state, retry } = progress;
  if (retry !== undefined && (state === 'retrying' || state === 'throttled')) {
    return `, ${state} (${retry.reason}, retry ${retry.attempt} of ${retry.maxRetries} in ${formatDelay(retry.delayMs)})`;
  }
  return state === 'waiting' || state === 'paused' ? `, ${state}` : '';
}

/** Sends one line per event to `print`; returns a function that stops listening. */
export function printZipEvents(events: QueueEvents, print: (line: string) => void): () => void {
  const handlers = {
    progress: ({ jobId, data }: { jobId: string; data: unknown }) => {
      print(`job ${jobId}: ${isZipProgress(data) ? percent(data) : JSON.stringify(data)}`);
    },
    completed: ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
      const path = typeof returnvalue === 'object' && returnvalue !== null ? (returnvalue as { path?: unknown }).path : undefined;
      print(`job ${jobId}: completed${typeof path === 'string' ? `, saved ${path}` : ''}`);
    },
    failed: ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
      print(`job ${jobId}: failed: ${failedReason}`);
    },
    stalled: ({ jobId }: { jobId: string }) => {
      print(`job ${jobId}: stalled (its worker died?), back in the queue`);
    },
  };
  events.on('progress', handlers.progress);
  events.on('completed', handlers.completed);
  events.on('failed', handlers.failed);
  events.on('stalled', handlers.stalled);
  return () => {
    events.off('progress', handlers.progress);
    events.off('completed', handlers.completed);
    events.off('failed', handlers.failed);
    events.off('stalled', handlers.stalled);
  };
}

if (/[\\/]events\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  const events = new QueueEvents(process.env.ZIP_QUEUE ?? DEFAULT_QUEUE, { connection: { url: process.env.REDIS_URL ?? DEFAULT_REDIS_URL } });
  printZipEvents(events, (line) => {
    console.log(line);
  });
  const stop = (): void => {
    // Bounded: with Redis gone, close() would keep waiting for a reconnection.
    setTimeout(() => process.exit(1), 5_000).unref();
    void events.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
