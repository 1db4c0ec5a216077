import type { PCloudParams } from '../pcloud/client.js';
import type { PCloudConnectionOptions, PollingOptions } from '../zip-progress/options.js';

/** What goes into the zip (at least one of `folderid`, `folderids`, `fileids`). */
export interface SaveZipTree {
  /** A folder whose contents become the zip's root. */
  readonly folderid?: number;
  /** Folders that each become a root entry. */
  readonly folderids?: readonly number[];
  /** Files that each become a root entry. */
  readonly fileids?: readonly number[];
  /** Folders left out of the tree. */
  readonly excludefolderids?: readonly number[];
  /** Files left out of the tree. */
  readonly excludefileids?: readonly number[];
}

/** Where the zip is saved: `topath`, or `tofolderid` + `toname`. */
export interface SaveZipDestination {
  /** Full path of the zip to create, e.g. `/backups/photos.zip`. */
  readonly topath?: string;
  /** Folder to create the zip in (with `toname`). */
  readonly tofolderid?: number;
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

function ids(name: string, value: readonly number[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((id) => !(Number.isSafeInteger(id) && id >= 0))) {
    throw new TypeError(`${name} must be an array of ids (whole numbers >= 0)`);
  }
  return value.length === 0 ? undefined : value.join(',');
}

function id(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new TypeError(`${name} must be an id (a whole number >= 0)`);
  }
  return value;
}

/**
 * Validates the tree and destination and returns `savezip`'s parameters (without the
 * `progresshash`). Throws a TypeError naming the option, before any request.
 */
export function saveZipParams(options: SaveZipOptions): PCloudParams {
  const folderid = id('folderid', options.folderid);
  const folderids = ids('folderids', options.folderids);
  const fileids = ids('fileids', options.fileids);
  if (folderid === undefined && folderids === undefined && fileids === undefined) {
    throw new TypeError('saveZip$ needs a tree: folderid, folderids or fileids');
  }
  const { topath, toname } = options;
  const tofolderid = id('tofolderid', options.tofolderid);
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
    excludefolderids: ids('excludefolderids', options.excludefolderids),
    excludefileids: ids('excludefileids', options.excludefileids),
    topath,
    tofolderid,
    toname,
    timeoffset,
  };
}
