/**
 * The one zip job the suite makes, observed as the library does: `currentserver`, then `savezip`
 * on the host it names while `savezipprogress` polls that host on a second connection. Several
 * checks read what this run saw.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, credentialParams, oneConnection, resultOf, upload } from './http.js';
import type { Answer } from './http.js';
import type { ConformanceTarget } from './target.js';

/** One savezipprogress answer, with when it arrived. */
export interface Poll {
  readonly result: number;
  readonly files?: number | undefined;
  readonly totalfiles?: number | undefined;
  readonly bytes?: number | undefined;
  readonly totalbytes?: number | undefined;
  /** Polled after savezip had answered. */
  readonly afterSave: boolean;
}

/** What the run made and saw. */
export interface ZipRun {
  readonly currentserver: Answer;
  /** `apiUrl` with its host replaced by currentserver's hostname. */
  readonly pinnedUrl: string;
  /** The folder the run created in the scratch folder, and its id. */
  readonly folderPath: string;
  readonly folderName: string;
  readonly folderid: number;
  /** The files uploaded into it (name -> content). */
  readonly files: ReadonlyMap<string, string>;
  readonly zipName: string;
  readonly zipPath: string;
  /** savezipprogress of the job's hash before savezip was sent. */
  readonly beforeRegistration: Answer;
  readonly save: Answer;
  readonly polls: readonly Poll[];
}

const FILE_COUNT = 3;

/** Small text files, a few kB each so that a throttled emulator shows intermediate progress. */
function sampleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (let i = 1; i <= FILE_COUNT; i++) files.set(`sample-${i}.txt`, `conformance sample ${i}\n`.repeat(150 * i));
  return files;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** A name unique to this run: its UTC time and a random suffix. */
function runName(now: Date): string {
  return `conformance-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** `apiUrl` with its host replaced by `hostname` (scheme and port kept), as the library pins. */
export function pinnedUrlOf(apiUrl: string, hostname: string): string {
  const url = new URL(apiUrl);
  url.hostname = hostname;
  return url.href.replace(/\/+$/, '');
}

function expectOk(answer: Answer, what: string): Answer {
  if (resultOf(answer) !== 0) throw new Error(`${what} answered result ${String(answer.body.result)}: ${String(answer.body.error)}`);
  return answer;
}

/**
 * Creates `<scratch>/<run>` with three files, zips it to `<scratch>/<run>.zip` on the pinned host
 * and polls its progress until savezip has answered, then once more.
 */
export async function runZip(target: ConformanceTarget): Promise<ZipRun> {
  const timeoutMs = target.requestTimeoutMs ?? 120_000;
  const pollIntervalMs = target.pollIntervalMs ?? 100;
  const credentials = credentialParams(target.account);
  const anonymous = oneConnection();
  const meta = oneConnection();
  const saving = oneConnection();
  const polling = oneConnection();
  try {
    const currentserver = expectOk(await call(target.apiUrl, 'currentserver', { dispatcher: anonymous.dispatcher, timeoutMs }), 'currentserver');
    const hostname = currentserver.body.hostname;
    if (typeof hostname !== 'string' || hostname === '') throw new Error('currentserver gave no hostname');
    const pinnedUrl = pinnedUrlOf(target.apiUrl, hostname);

    const folderName = runName(new Date());
    const folderPath = `${target.scratchFolder}/${folderName}`;
    const created = expectOk(await call(target.apiUrl, 'createfolder', { body: { ...credentials, path: folderPath }, dispatcher: meta.dispatcher, timeoutMs }), `createfolder ${folderPath}`);
    const folderid = (created.body.metadata as { folderid?: unknown } | undefined)?.folderid;
    if (typeof folderid !== 'number') throw new Error('createfolder gave no metadata.folderid');
    const files = sampleFiles();
    expectOk(await upload(target.apiUrl, target.account, folderid, files, meta.dispatcher), 'uploadfile');

    const zipName = `${folderName}.zip`;
    const zipPath = `${target.scratchFolder}/${zipName}`;
    const progresshash = randomBytes(16).toString('hex');
    const progress = (): Promise<Answer> => call(pinnedUrl, 'savezipprogress', { body: { ...credentials, progresshash }, dispatcher: polling.dispatcher, timeoutMs });
    const beforeRegistration = await progress();

    let saved: Answer | undefined;
    let saveError: unknown;
    const saveDone = call(pinnedUrl, 'savezip', { body: { ...credentials, folderid: String(folderid), topath: zipPath, progresshash }, dispatcher: saving.dispatcher, timeoutMs }).then(
      (answer) => {
        saved = answer;
      },
      (error: unknown) => {
        saveError = error ?? new Error('savezip failed');
      },
    );
    const polls: Poll[] = [];
    const record = (answer: Answer, afterSave: boolean): void => {
      const { body } = answer;
      polls.push({ result: resultOf(answer), files: numberOr(body.files), totalfiles: numberOr(body.totalfiles), bytes: numberOr(body.bytes), totalbytes: numberOr(body.totalbytes), afterSave });
    };
    while (saved === undefined && saveError === undefined) {
      record(await progress(), false);
      await Promise.race([saveDone, sleep(pollIntervalMs)]);
    }
    await saveDone;
    if (saveError !== undefined) throw saveError instanceof Error ? saveError : new Error('savezip failed');
    record(await progress(), true);
    return { currentserver, pinnedUrl, folderPath, folderName, folderid, files, zipName, zipPath, beforeRegistration, save: saved!, polls };
  } finally {
    await Promise.all([anonymous.close(), meta.close(), saving.close(), polling.close()]);
  }
}
