/**
 * One queue job per destination: the BullMQ job id is derived from the account and the
 * destination, so a second job for the same zip is refused instead of racing the first (the
 * worker's retry logic assumes nobody else saves to its destination).
 */
import { createHash } from 'node:crypto';
import type { SaveZipDestination } from '../../lib/node.js';

/** What makes two jobs the same zip. */
export interface ZipJobKey {
  /** The account name of the job data (absent: the worker's default account). */
  readonly account?: string;
  readonly destination: SaveZipDestination;
}

/**
 * The job id of the zip at `key`: `zip-` and the SHA-256 of the account and destination. A hash
 * rather than the path itself: BullMQ refuses ids with `:` or that read as integers, a path may
 * hold both and any other character, and may be long, while the id goes into every Redis key and
 * event of the job; a hash is 68 characters from [0-9a-z-] whatever the path. The parts are
 * hashed as a JSON array, so no account name and path can run together into another's.
 *
 * The same destination written another way (`topath` vs `tofolderid` + `toname`, a different
 * case or a doubled slash) gets another id: only pCloud knows they are the same file.
 */
export function zipJobId(key: ZipJobKey): string {
  const { topath, tofolderid, toname } = key.destination;
  const where = topath !== undefined ? ['topath', topath] : ['tofolder', String(tofolderid), toname ?? null];
  return `zip-${createHash('sha256').update(JSON.stringify([key.account ?? null, ...where])).digest('hex')}`;
}

/** The destination (and account, if named) for messages: never a credential. */
export function describeZipJob(key: ZipJobKey): string {
  const { topath, tofolderid, toname } = key.destination;
  const where = topath ?? `${toname ?? '?'} in folder ${String(tofolderid)}`;
  return key.account === undefined ? where : `${where} of account '${key.account}'`;
}

/** A job for the same account and destination is already in the queue; the message says which and what to do. */
export class DuplicateZipJobError extends Error {
  override readonly name = 'DuplicateZipJobError';

  constructor(
    readonly jobId: string,
    readonly state: string,
    destination: string,
  ) {
    super(
      `a job for ${destination} is already in the queue (job ${jobId}, ${state}): one job per destination. ` +
        (state === 'completed' || state === 'failed'
          ? `Remove that job (it is kept for a while after it ends) before enqueueing this zip again.`
          : `Wait for it to end, or remove it first.`),
    );
  }
}
