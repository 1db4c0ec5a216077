/**
 * savezip jobs: build a real zip at a chosen speed and expose pCloud-style progress.
 */
import yazl from 'yazl';
import type { TimerBag } from './timers.js';
import type { ZipTree } from './tree.js';

/**
 * A snapshot of one zip job, for assertions.
 *
 * @example
 * const [job]: ReadonlyArray<ZipJobInfo> = fake.jobs();
 * expect(job).toMatchObject({ files: 3, totalfiles: 3, done: true });
 */
export interface ZipJobInfo {
  /** The `progresshash` given to savezip; undefined when the call had none. */
  readonly progresshash: string | undefined;
  /** The user whose files are zipped. */
  readonly userid: number;
  /** Files zipped so far. */
  readonly files: number;
  /** Files in the zip. */
  readonly totalfiles: number;
  /** Uncompressed bytes zipped so far. */
  readonly bytes: number;
  /** Uncompressed bytes of all the files. */
  readonly totalbytes: number;
  /** The zip has been built (savezip may still fail to store it, e.g. 2004). */
  readonly done: boolean;
  /** Whether savezipprogress can see the job yet (see the delay-registration fault). */
  readonly registered: boolean;
  /** Date.now() when savezip arrived. */
  readonly startedAt: number;
  /** Date.now() when the last file was zipped. */
  readonly finishedAt: number | undefined;
  /** Stopped before the end (its savezip connection dropped, with `savezipOnDisconnect: 'abort'`). */
  readonly aborted: boolean;
}

/**
 * The progress savezipprogress reports.
 *
 * @example
 * const p: ZipProgress = { files: 1, totalfiles: 2, bytes: 10, totalbytes: 30 };
 */
export interface ZipProgress {
  readonly files: number;
  readonly totalfiles: number;
  readonly bytes: number;
  readonly totalbytes: number;
}

interface Job {
  progresshash: string | undefined;
  userid: number;
  files: number;
  totalfiles: number;
  bytes: number;
  totalbytes: number;
  startedAt: number;
  /** Set when the zip has been built (ZipJobInfo.done). */
  finishedAt: number | undefined;
  /** Set when savezipprogress can see the job (ZipJobInfo.registered). */
  registeredAt: number | undefined;
  aborted: boolean;
}

/**
 * Rejection reason of {@link ZipJobs.run} when its signal aborted: the job stopped, no zip.
 *
 * @example
 * zipped.catch((e: unknown) => { if (e instanceof ZipAbortedError) return; throw e; });
 */
export class ZipAbortedError extends Error {
  constructor() {
    super('The zip job was aborted: its savezip connection was dropped');
    this.name = 'ZipAbortedError';
  }
}

/**
 * Options of {@link ZipJobs}.
 *
 * @example
 * const opts: ZipJobsOptions = { timers: new TimerBag(), bytesPerSecond: 1_000_000, finishedJobTtlMs: 60_000 };
 */
export interface ZipJobsOptions {
  readonly timers: TimerBag;
  /** Uncompressed bytes zipped per second; Infinity = as fast as possible (one loop turn per file). */
  readonly bytesPerSecond: number;
  /** How long a finished job stays readable through savezipprogress. */
  readonly finishedJobTtlMs: number;
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * Every zip job of one server.
 *
 * @example
 * const jobs = new ZipJobs({ timers, bytesPerSecond: Infinity, finishedJobTtlMs: 60_000 });
 * const zip = await jobs.run({ userid: 1001, progresshash: 'h1', tree, registrationDelayMs: 0 });
 * jobs.progress(1001, 'h1'); // { files: n, totalfiles: n, ... } until the ttl elapses
 */
export class ZipJobs {
  readonly #opts: ZipJobsOptions;
  readonly #all: Job[] = [];
  /** Registered jobs by `${userid}:${progresshash}`: a hash is only visible to its owner. */
  readonly #byHash = new Map<string, Job>();

  constructor(opts: ZipJobsOptions) {
    this.#opts = opts;
  }

  /**
   * Zips `tree`, one file at a time: each file takes size / bytesPerSecond seconds, then the
   * progress moves by one file and its size (pCloud updates progress once per zipped file).
   * The files' bytes and modification times are taken when the job starts: an overwrite during
   * the job changes neither the zip nor the totals.
   * Resolves with the zip's bytes; rejects with TimersClearedError if the server closes first.
   */
  async run(input: { userid: number; progresshash: string | undefined; tree: ZipTree; registrationDelayMs: number; signal?: AbortSignal | undefined }): Promise<Buffer> {
    const { tree } = input;
    // FileNode.data is replaced (never mutated) on overwrite, so keeping the references is a snapshot.
    const entries = tree.files.map(({ zipPath, file }) => ({ zipPath, data: file.data, mtime: file.modified }));
    const job: Job = {
      progresshash: input.progresshash,
      userid: input.userid,
      files: 0,
      totalfiles: entries.length,
      bytes: 0,
      totalbytes: entries.reduce((sum, entry) => sum + entry.data.length, 0),
      startedAt: Date.now(),
      finishedAt: undefined,
      registeredAt: undefined,
      aborted: false,
    };
    this.#all.push(job);
    if (input.progresshash !== undefined) {
      const hash = input.progresshash;
      const register = (): void => {
        if (job.aborted) return;
        job.registeredAt = Date.now();
        this.#byHash.set(`${job.userid}:${hash}`, job);
      };
      if (input.registrationDelayMs > 0) this.#opts.timers.setTimeout(register, input.registrationDelayMs);
      else register();
    }

    const zip = new yazl.ZipFile();
    const output = collect(zip.outputStream);
    for (const folder of tree.folders) zip.addEmptyDirectory(folder);
    for (const { zipPath, data, mtime } of entries) {
      await this.#opts.timers.sleep((data.length / this.#opts.bytesPerSecond) * 1000);
      if (input.signal?.aborted === true) {
        // Stopped between two files; its progress is gone ("Zip not found"), no zip is stored.
        job.aborted = true;
        if (input.progresshash !== undefined) this.#byHash.delete(`${job.userid}:${input.progresshash}`);
        throw new ZipAbortedError();
      }
      zip.addBuffer(data, zipPath, { mtime });
      job.files += 1;
      job.bytes += data.length;
    }
    zip.end();
    const bytes = await output;
    job.finishedAt = Date.now();
    return bytes;
  }

  /**
   * The progress of `userid`'s job registered under `progresshash`; undefined when unknown, not
   * registered yet, owned by someone else, or finished more than finishedJobTtlMs ago.
   */
  progress(userid: number, progresshash: string): ZipProgress | undefined {
    const key = `${userid}:${progresshash}`;
    const job = this.#byHash.get(key);
    if (job === undefined) return undefined;
    if (job.finishedAt !== undefined && Math.max(job.finishedAt, job.registeredAt ?? 0) + this.#opts.finishedJobTtlMs <= Date.now()) {
      // Lazy expiry: no timer per job, so nothing is left to clear at close.
      this.#byHash.delete(key);
      return undefined;
    }
    return { files: job.files, totalfiles: job.totalfiles, bytes: job.bytes, totalbytes: job.totalbytes };
  }

  /** Every job started so far (expired ones included), oldest first. */
  list(): ZipJobInfo[] {
    return this.#all.map((job) => ({
      progresshash: job.progresshash,
      userid: job.userid,
      files: job.files,
      totalfiles: job.totalfiles,
      bytes: job.bytes,
      totalbytes: job.totalbytes,
      done: job.finishedAt !== undefined,
      registered: job.registeredAt !== undefined,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      aborted: job.aborted,
    }));
  }
}
