/**
 * The pCloud methods the emulator serves. Each handler returns the success fields (the server adds
 * `result: 0`) or throws ApiError.
 */
import { ApiError } from './errors.js';
import { splitPath, validateName } from './filesystem.js';
import type { FakeFileSystem, FileMetadata, FolderNode } from './filesystem.js';
import type { ParsedRequest } from './params.js';
import { resolveTree } from './tree.js';
import type { UserState } from './users.js';
import type { ZipJobs } from './zip-jobs.js';

/**
 * What a handler gets to work with.
 *
 * @example
 * const ctx: MethodContext = { request, user, hostname: '127.0.0.1', jobs, registrationDelayMs: 0 };
 */
export interface MethodContext {
  readonly request: ParsedRequest;
  /** The authenticated user; always set for methods with `auth: true`. */
  readonly user: UserState | undefined;
  /** What currentserver reports. */
  readonly hostname: string;
  readonly jobs: ZipJobs;
  /** From a delay-registration fault consumed by this savezip call; 0 otherwise. */
  readonly registrationDelayMs: number;
  /** Aborted when the client closes the connection before the answer. */
  readonly disconnected?: AbortSignal;
  /** What a dropped savezip connection does to its zip (FakePCloudOptions.savezipOnDisconnect). */
  readonly savezipOnDisconnect?: 'continue' | 'abort';
}

/**
 * One served method.
 *
 * @example
 * const spec: MethodSpec = { auth: false, handle: () => ({ ip: '127.0.0.1' }) };
 */
export interface MethodSpec {
  /** Whether credentials are required (1000 without them). */
  readonly auth: boolean;
  readonly handle: (ctx: MethodContext) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

const QUOTA_BYTES = 10 * 1024 ** 3;

function userOf(ctx: MethodContext): UserState {
  if (ctx.user === undefined) throw new ApiError(1000);
  return ctx.user;
}

function parseId(value: string, invalidCode: number): number {
  if (!/^\d+$/.test(value.trim())) throw new ApiError(invalidCode);
  return Number(value.trim());
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** A folder from `folderid` or `path`; `missingCode` when neither is given. */
function folderFrom(fs: FakeFileSystem, params: Readonly<Record<string, string>>, missingCode: number): FolderNode {
  if (params.folderid !== undefined) return fs.requireFolder(parseId(params.folderid, 1017));
  if (params.path !== undefined) {
    const node = fs.resolve(params.path);
    if (node?.kind !== 'folder') throw new ApiError(2005);
    return node;
  }
  throw new ApiError(missingCode);
}

/** Splits an absolute path into its parent folder (which must exist) and the last name. */
function parentAndName(fs: FakeFileSystem, path: string, missingParentCode: number): { parent: FolderNode; name: string } {
  const names = splitPath(path);
  const name = names.pop();
  if (name === undefined) throw new ApiError(2001);
  const parent = fs.resolve(`/${names.join('/')}`);
  if (parent?.kind !== 'folder') throw new ApiError(missingParentCode);
  return { parent, name };
}

function currentserver(ctx: MethodContext): Record<string, unknown> {
  return { ip: '127.0.0.1', ipv6: '::1', hostname: ctx.hostname };
}

function userinfo(ctx: MethodContext): Record<string, unknown> {
  const { user, fs } = userOf(ctx);
  const used = fs.usedBytes();
  return {
    userid: user.userid,
    email: user.email,
    emailverified: true,
    registered: 'Thu, 01 Jan 2026 00:00:00 +0000',
    language: 'en',
    premium: false,
    premiumlifetime: false,
    business: false,
    cryptosetup: false,
    quota: QUOTA_BYTES,
    usedquota: used,
    freequota: QUOTA_BYTES - used,
    plan: 0,
  };
}

function listfolder(ctx: MethodContext): Record<string, unknown> {
  const { fs } = userOf(ctx);
  const { params } = ctx.request;
  const folder = folderFrom(fs, params, 1002);
  return { metadata: fs.folderMetadata(folder, { recursive: isTrue(params.recursive), nofiles: isTrue(params.nofiles) }) };
}

function createfolder(ctx: MethodContext): Record<string, unknown> {
  const { fs } = userOf(ctx);
  const { params } = ctx.request;
  if (params.path !== undefined) {
    const { parent, name } = parentAndName(fs, params.path, 2002);
    return { metadata: fs.folderMetadata(fs.createFolder(parent, name)) };
  }
  if (params.folderid !== undefined && params.name !== undefined) {
    const parent = fs.requireFolder(parseId(params.folderid, 1017));
    return { metadata: fs.folderMetadata(fs.createFolder(parent, params.name)) };
  }
  throw new ApiError(1001);
}

function uploadfile(ctx: MethodContext): Record<string, unknown> {
  const { fs } = userOf(ctx);
  const { params, files, rawBody } = ctx.request;
  // Without path or folderid the upload goes to the root folder (leniency chosen for seeding).
  const folder = params.path === undefined && params.folderid === undefined ? fs.root : folderFrom(fs, params, 2005);
  const uploads = [...files];
  if (uploads.length === 0 && rawBody !== undefined && params.filename !== undefined) uploads.push({ name: params.filename, data: rawBody });
  for (const upload of uploads) validateName(upload.name);
  const stored = uploads.map((upload) => fs.writeFile(folder, upload.name, upload.data));
  return { fileids: stored.map((file) => file.fileid), metadata: stored.map((file) => fs.fileMetadata(file)) };
}

function zipDestination(fs: FakeFileSystem, params: Readonly<Record<string, string>>): { parent: FolderNode; name: string } {
  let destination: { parent: FolderNode; name: string };
  if (params.topath !== undefined && params.topath.startsWith('/') && splitPath(params.topath).length > 0) {
    destination = parentAndName(fs, params.topath, 2005);
  } else if (params.tofolderid !== undefined && params.toname !== undefined && params.toname !== '') {
    destination = { parent: fs.requireFolder(parseId(params.tofolderid, 1017)), name: params.toname };
  } else {
    throw new ApiError(1016);
  }
  validateName(destination.name);
  if (destination.parent.children.has(destination.name)) throw new ApiError(2004);
  return destination;
}

/**
 * What savezip does, for a call or for `FakePCloud.startZip`: checks the tree and destination at
 * once (throwing ApiError), then zips; `saved` resolves with the stored zip's metadata.
 *
 * @example
 * const { saved } = startSaveZip(state, jobs, { folderid: '0', topath: '/a.zip', progresshash: 'h' }, { registrationDelayMs: 0 });
 */
export function startSaveZip(
  state: UserState,
  jobs: ZipJobs,
  params: Readonly<Record<string, string>>,
  opts: { readonly registrationDelayMs: number; readonly signal?: AbortSignal | undefined },
): { readonly saved: Promise<FileMetadata> } {
  const { user, fs } = state;
  const tree = resolveTree(fs, params);
  const { parent, name } = zipDestination(fs, params);
  // timeoffset is accepted and ignored: entries carry the files' UTC modification times.
  const progresshash = params.progresshash !== undefined && params.progresshash !== '' ? params.progresshash : undefined;
  const zipped = jobs.run({ userid: user.userid, progresshash, tree, registrationDelayMs: opts.registrationDelayMs, signal: opts.signal });
  const saved = zipped.then((zip) => {
    // Another call may have taken the name while this one was zipping.
    if (parent.children.has(name)) throw new ApiError(2004);
    return fs.fileMetadata(fs.writeFile(parent, name, zip, 'application/zip'));
  });
  return { saved };
}

async function savezip(ctx: MethodContext): Promise<Record<string, unknown>> {
  // By default the zip goes on when the client hangs up, as pCloud's does; 'abort' stops it.
  const signal = ctx.savezipOnDisconnect === 'abort' ? ctx.disconnected : undefined;
  const { saved } = startSaveZip(userOf(ctx), ctx.jobs, ctx.request.params, { registrationDelayMs: ctx.registrationDelayMs, signal });
  return { metadata: await saved };
}

/**
 * A file or folder by `path`, or a file by `fileid`. A missing path answers 2055 "File or folder
 * not found", as public clients record pCloud's `stat` doing (cryptomator's PCloudApiError.kt,
 * lastphoenx/pcloud-tools, Joplin's pCloud driver), although `stat`'s page does not list it; a
 * missing `fileid` answers 2009 (errors.txt, for the methods that take a fileid). A folder path
 * answers the folder's metadata (pcloud-tools' `stat_folder` relies on it).
 */
function stat(ctx: MethodContext): Record<string, unknown> {
  const { fs } = userOf(ctx);
  const { params } = ctx.request;
  if (params.fileid !== undefined) return { metadata: fs.fileMetadata(fs.requireFile(parseId(params.fileid, 1018))) };
  if (params.path === undefined) throw new ApiError(1004);
  const node = fs.resolve(params.path);
  if (node === undefined) throw new ApiError(2055);
  return { metadata: fs.metadata(node) };
}

function savezipprogress(ctx: MethodContext): Record<string, unknown> {
  const { user } = userOf(ctx);
  const hash = ctx.request.params.progresshash;
  const progress = hash === undefined ? undefined : ctx.jobs.progress(user.userid, hash);
  if (progress === undefined) throw new ApiError(1901);
  return { ...progress };
}

/** The date fields of the answers served here (metadata's and userinfo's). */
const DATE_FIELDS: ReadonlySet<string> = new Set(['created', 'modified', 'registered']);

/** `value` with every date field turned into UTC unix seconds, however deep (listings nest). */
function withTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withTimestamps);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = DATE_FIELDS.has(key) && typeof field === 'string' ? Math.floor(Date.parse(field) / 1000) : withTimestamps(field);
  }
  return copy;
}

/**
 * The global parameter `timeformat`: "if set to "timestamp" all datetime fields will be
 * represented as UTC unix timestamps, any other value leaves the default date format"
 * (pclouddoc api.txt, OPTIONAL GLOBAL PARAMETERS; docs.pcloud.com/methods/intro/global_parameters.html).
 */
function honouringTimeFormat(spec: MethodSpec): MethodSpec {
  return {
    auth: spec.auth,
    handle: (ctx) => {
      const answer = spec.handle(ctx);
      if (ctx.request.params.timeformat !== 'timestamp') return answer;
      const convert = (body: Record<string, unknown>): Record<string, unknown> => withTimestamps(body) as Record<string, unknown>;
      return answer instanceof Promise ? answer.then(convert) : convert(answer);
    },
  };
}

/**
 * The served methods by name. On anything else the server closes the connection without an
 * answer, as pCloud does.
 *
 * @example
 * METHODS.get('savezipprogress')?.auth; // true
 */
export const METHODS: ReadonlyMap<string, MethodSpec> = new Map<string, MethodSpec>(
  (
    [
      ['currentserver', { auth: false, handle: currentserver }],
      ['userinfo', { auth: true, handle: userinfo }],
      ['listfolder', { auth: true, handle: listfolder }],
      ['stat', { auth: true, handle: stat }],
      ['createfolder', { auth: true, handle: createfolder }],
      ['uploadfile', { auth: true, handle: uploadfile }],
      ['savezip', { auth: true, handle: savezip }],
      ['savezipprogress', { auth: true, handle: savezipprogress }],
    ] as const
  ).map(([name, spec]) => [name, honouringTimeFormat(spec)]),
);
