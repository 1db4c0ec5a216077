import type { PCloudParams } from '../pcloud/client.js';
import { parseId, parseIdList } from '../pcloud/ids.js';
import { type PCloudConnectionOptions, readConnectionOptions } from '../pcloud/connection-options.js';
import type { OptionsSnapshot } from '../poll/read-once.js';
import { type PollingOptions, readPollingOptions } from '../zip-progress/polling-options.js';

/**
 * What goes into the zip (at least one of `folderid`, `folderids`, `fileids`). Ids come in
 * pCloud's own forms: a number or a string of decimal digits (`12345`, `'12345'`); lists as an
 * array of those, one id, or a comma-separated string (`'5,6'`, `'5, 6'`). They are sent as
 * pCloud's wire form (`5,6`); anything else (negative, fractional, past 2^53-1, `'0x10'`,
 * `'1e3'`, an empty item) is a TypeError naming the option and the item.
 */
export interface SaveZipTree {
  /** A folder whose contents become the zip's root. */
  readonly folderid?: number | string;
  /** Folders that each become a root entry. */
  readonly folderids?: readonly (number | string)[] | number | string;
  /** Files that each become a root entry. */
  readonly fileids?: readonly (number | string)[] | number | string;
  /** Folders left out of the tree. */
  readonly excludefolderids?: readonly (number | string)[] | number | string;
  /** Files left out of the tree. */
  readonly excludefileids?: readonly (number | string)[] | number | string;
}

/** Where the zip is saved: `topath`, or `tofolderid` + `toname`. */
export interface SaveZipDestination {
  /** Full path of the zip to create, e.g. `/backups/photos.zip`. */
  readonly topath?: string;
  /** Folder to create the zip in (with `toname`): an id, as a number or its decimal digits. */
  readonly tofolderid?: number | string;
  /** Name of the zip to create (with `tofolderid`). */
  readonly toname?: string;
}

/** Options of `saveZip$`. */
export interface SaveZipOptions extends PCloudConnectionOptions, PollingOptions, SaveZipTree, SaveZipDestination {
  /** pCloud's `timeoffset` for the dates inside the zip, e.g. `'+02:00'` or seconds. */
  readonly timeoffset?: string | number;
  /**
   * Ask `currentserver` first and send `savezip` and its progress polls to that host (default
   * true). Turn off behind a proxy that only forwards to `apiUrl`.
   */
  readonly pinServer?: boolean;
}

/**
 * Options of the calls that watch a job, which `saveZip$` would otherwise ignore while it starts
 * a second zip (`job`) or polls a hash nobody else knows (`progresshash`): a TypeError naming
 * the call that takes them. Other keys `saveZip$` does not know are ignored (README, "Unknown
 * options"), so one object can carry the caller's own fields.
 */
function rejectWatchOptions(options: SaveZipOptions): void {
  const given = options as { readonly job?: unknown; readonly progresshash?: unknown };
  if (given.job !== undefined) {
    throw new TypeError('saveZip$ does not take job: it starts a new zip; to watch a stored job use zipProgress$({ job, auth })');
  }
  if (given.progresshash !== undefined) {
    throw new TypeError(
      "saveZip$ does not take progresshash: it makes a fresh one for each zip (the started event's job.progresshash); to watch a job by its hash use zipProgress$({ progresshash, auth })",
    );
  }
}

/**
 * Reads every option of `saveZip$` exactly once, so that the value validated is the value used
 * (a getter may answer differently on each read). Rejects the options of the watching calls
 * first (see {@link rejectWatchOptions}).
 */
export function readSaveZipOptions(options: SaveZipOptions): OptionsSnapshot<SaveZipOptions> {
  rejectWatchOptions(options);
  return {
    ...readConnectionOptions(options),
    ...readPollingOptions(options),
    folderid: options.folderid,
    folderids: options.folderids,
    fileids: options.fileids,
    excludefolderids: options.excludefolderids,
    excludefileids: options.excludefileids,
    topath: options.topath,
    tofolderid: options.tofolderid,
    toname: options.toname,
    timeoffset: options.timeoffset,
    pinServer: options.pinServer,
  };
}

/**
 * Validates the tree and destination and returns `savezip`'s parameters (without the
 * `progresshash`). Throws a TypeError naming the option, before any request.
 */
export function saveZipParams(options: OptionsSnapshot<SaveZipOptions>): PCloudParams {
  const folderid = parseId('folderid', options.folderid);
  const folderids = parseIdList('folderids', options.folderids);
  const fileids = parseIdList('fileids', options.fileids);
  if (folderid === undefined && folderids === undefined && fileids === undefined) {
    throw new TypeError('saveZip$ needs a tree: folderid, folderids or fileids');
  }
  const { topath, toname } = options;
  const tofolderid = parseId('tofolderid', options.tofolderid);
  const byPath = topath !== undefined;
  const byFolder = tofolderid !== undefined || toname !== undefined;
  if (byPath === byFolder) {
    throw new TypeError('saveZip$ needs exactly one destination: topath, or tofolderid with toname');
  }
  if (byPath && !(typeof topath === 'string' && topath.startsWith('/') && topath.length > 1)) {
    throw new TypeError('topath must be a full path such as /backups/photos.zip');
  }
  if (byFolder && (tofolderid === undefined || typeof toname !== 'string' || toname === '' || toname.includes('/'))) {
    throw new TypeError('tofolderid and toname go together: a folder id and a file name without /');
  }
  const { timeoffset } = options;
  if (timeoffset !== undefined && typeof timeoffset !== 'string' && !Number.isFinite(timeoffset)) {
    throw new TypeError('timeoffset must be a string or a number of seconds');
  }
  if (options.pinServer !== undefined && typeof options.pinServer !== 'boolean') {
    throw new TypeError('pinServer must be a boolean');
  }
  return {
    folderid,
    folderids,
    fileids,
    excludefolderids: parseIdList('excludefolderids', options.excludefolderids),
    excludefileids: parseIdList('excludefileids', options.excludefileids),
    topath,
    tofolderid,
    toname,
    timeoffset,
  };
}
