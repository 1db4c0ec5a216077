/**
 * One user's pCloud filesystem, in memory: folders and files with pCloud-shaped metadata.
 */
import { createHash } from 'node:crypto';
import { ApiError } from './errors.js';

/**
 * pCloud folder metadata (the fields this emulator fills in).
 *
 * @example
 * const root: FolderMetadata = user.mkdir('/'); // root.folderid === 0, root.id === 'd0'
 */
export interface FolderMetadata {
  /** Folder id; 0 is the root. */
  folderid: number;
  /** `'d'` + folderid, as pCloud writes it. */
  id: string;
  /** The folder's name; `'/'` for the root. */
  name: string;
  /** Full path, e.g. `/photos/2024`. */
  path: string;
  /** Always true for a folder. */
  isfolder: true;
  /** Absent on the root folder, as on pCloud. */
  parentfolderid?: number;
  /** Creation time, an RFC 1123 date string as pCloud sends it. */
  created: string;
  /** Last change, an RFC 1123 date string. */
  modified: string;
  /** Owned by the user (no shares in the emulator). */
  ismine: true;
  /** Folders have no thumbnail. */
  thumb: false;
  /** Not shared (no shares in the emulator). */
  isshared: false;
  /** pCloud's icon name for folders. */
  icon: 'folder';
  /** Present on listfolder answers. */
  contents?: Metadata[];
}

/**
 * pCloud file metadata (the fields this emulator fills in).
 *
 * @example
 * const file: FileMetadata = user.writeFile('/a.txt', 'hi'); // file.size === 2, file.id === `f${file.fileid}`
 */
export interface FileMetadata {
  /** File id. */
  fileid: number;
  /** `'f'` + fileid, as pCloud writes it. */
  id: string;
  /** The file's name. */
  name: string;
  /** Full path, e.g. `/photos/a.jpg`. */
  path: string;
  /** Always false for a file. */
  isfolder: false;
  /** Id of the folder holding the file. */
  parentfolderid: number;
  /** Size in bytes. */
  size: number;
  /** MIME type guessed from the name's extension. */
  contenttype: string;
  /** pCloud's 64-bit content hash; here 48 bits of SHA-1 so it stays a safe JS integer. */
  hash: number;
  /** 0 uncategorized, 1 image, 2 video, 3 audio, 4 document, 5 archive. */
  category: number;
  /** Creation time, an RFC 1123 date string as pCloud sends it. */
  created: string;
  /** Last change, an RFC 1123 date string. */
  modified: string;
  /** Owned by the user (no shares in the emulator). */
  ismine: true;
  /** Whether pCloud would have a thumbnail (images and videos). */
  thumb: boolean;
  /** Not shared (no shares in the emulator). */
  isshared: false;
  /** pCloud's icon name from the category: 'image', 'video', 'audio', 'document', 'archive' or 'file'. */
  icon: string;
}

/**
 * File or folder metadata.
 *
 * @example
 * const m: Metadata | undefined = user.stat('/a.txt');
 * if (m && !m.isfolder) console.log(m.size);
 */
export type Metadata = FolderMetadata | FileMetadata;

/**
 * A folder in the tree.
 *
 * @example
 * const root: FolderNode = fs.root; // root.folderid === 0
 */
export interface FolderNode {
  readonly kind: 'folder';
  readonly folderid: number;
  readonly name: string;
  readonly parent: FolderNode | undefined;
  readonly children: Map<string, TreeNode>;
  readonly created: Date;
  modified: Date;
}

/**
 * A file in the tree. `data` is replaced (never mutated) on overwrite, so a zip job that took a
 * reference keeps zipping the bytes it started with. `hash` is the content hash of `data`, set
 * with it by {@link FakeFileSystem.writeFile}.
 *
 * @example
 * const file: FileNode | undefined = fs.fileById(1234);
 */
export interface FileNode {
  readonly kind: 'file';
  readonly fileid: number;
  readonly name: string;
  readonly parent: FolderNode;
  data: Buffer;
  hash: number;
  contenttype: string;
  readonly created: Date;
  modified: Date;
}

/**
 * A folder or a file.
 *
 * @example
 * const node: TreeNode | undefined = fs.resolve('/photos');
 */
export type TreeNode = FolderNode | FileNode;

/**
 * Hands out folder and file ids. Shared by every user of one server, because pCloud ids are global:
 * another user's id simply is not found.
 *
 * @example
 * const ids = new IdSequence();
 * ids.nextFileId(); // 10000
 */
export class IdSequence {
  #folder = 1000;
  #file = 10000;

  /** A fresh folder id (the root of every user is 0). */
  nextFolderId(): number {
    return this.#folder++;
  }

  /** A fresh file id. */
  nextFileId(): number {
    return this.#file++;
  }
}

/**
 * pCloud's date format (RFC 2822 with a numeric zone).
 *
 * @example
 * formatPCloudDate(new Date(Date.UTC(2026, 10, 26, 23, 40, 38))); // 'Thu, 26 Nov 2026 23:40:38 +0000'
 */
function formatPCloudDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  html: 'text/html',
  json: 'application/json',
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
};

/**
 * Content type guessed from the file name's extension, as pCloud does.
 *
 * @example
 * contentTypeFor('a.PNG'); // 'image/png'
 */
function contentTypeFor(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

function categoryOf(contenttype: string): { category: number; icon: string } {
  if (contenttype.startsWith('image/')) return { category: 1, icon: 'image' };
  if (contenttype.startsWith('video/')) return { category: 2, icon: 'video' };
  if (contenttype.startsWith('audio/')) return { category: 3, icon: 'audio' };
  if (contenttype.startsWith('text/') || contenttype === 'application/pdf') return { category: 4, icon: 'document' };
  if (/zip|gzip|x-tar/.test(contenttype)) return { category: 5, icon: 'archive' };
  return { category: 0, icon: 'file' };
}

function contentHash(data: Buffer): number {
  return createHash('sha1').update(data).digest().readUIntBE(0, 6);
}

/**
 * Checks a single file or folder name (pCloud answers 2001 to names it cannot store).
 *
 * @example
 * validateName('a/b'); // throws ApiError 2001
 */
export function validateName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw new ApiError(2001);
}

/**
 * Splits an absolute pCloud path into names; a relative path is 2010 "Invalid path.".
 *
 * @example
 * splitPath('/a//b/'); // ['a', 'b']
 */
export function splitPath(path: string): string[] {
  if (!path.startsWith('/')) throw new ApiError(2010);
  return path.split('/').filter((part) => part !== '');
}

/**
 * The in-memory filesystem of one user.
 *
 * @example
 * const fs = new FakeFileSystem(new IdSequence());
 * const docs = fs.mkdirs('/docs');
 * fs.writeFile(docs, 'a.txt', Buffer.from('hi'));
 * fs.folderMetadata(fs.root, { recursive: true });
 */
export class FakeFileSystem {
  /** The root folder, id 0, path '/'. */
  readonly root: FolderNode;
  readonly #ids: IdSequence;
  readonly #folders = new Map<number, FolderNode>();
  readonly #files = new Map<number, FileNode>();

  constructor(ids: IdSequence) {
    this.#ids = ids;
    const now = new Date();
    this.root = { kind: 'folder', folderid: 0, name: '/', parent: undefined, children: new Map(), created: now, modified: now };
    this.#folders.set(0, this.root);
  }

  /** The folder with this id, if this user has it. */
  folderById(folderid: number): FolderNode | undefined {
    return this.#folders.get(folderid);
  }

  /** The file with this id, if this user has it. */
  fileById(fileid: number): FileNode | undefined {
    return this.#files.get(fileid);
  }

  /** The folder with this id; 2005 "Directory does not exist." if this user has none. */
  requireFolder(folderid: number): FolderNode {
    const folder = this.#folders.get(folderid);
    if (folder === undefined) throw new ApiError(2005);
    return folder;
  }

  /** The file with this id; 2009 "File not found." if this user has none. */
  requireFile(fileid: number): FileNode {
    const file = this.#files.get(fileid);
    if (file === undefined) throw new ApiError(2009);
    return file;
  }

  /** The node at an absolute path, if any (throws 2010 on a relative path). */
  resolve(path: string): TreeNode | undefined {
    let node: TreeNode = this.root;
    for (const name of splitPath(path)) {
      if (node.kind !== 'folder') return undefined;
      const child: TreeNode | undefined = node.children.get(name);
      if (child === undefined) return undefined;
      node = child;
    }
    return node;
  }

  /** Creates `name` in `parent`; 2004 if the name is taken, 2001 if it is not a valid name. */
  createFolder(parent: FolderNode, name: string): FolderNode {
    validateName(name);
    if (parent.children.has(name)) throw new ApiError(2004);
    const now = new Date();
    const folder: FolderNode = { kind: 'folder', folderid: this.#ids.nextFolderId(), name, parent, children: new Map(), created: now, modified: now };
    parent.children.set(name, folder);
    parent.modified = now;
    this.#folders.set(folder.folderid, folder);
    return folder;
  }

  /** Like `mkdir -p`: creates missing folders along `path` and returns the last one. */
  mkdirs(path: string): FolderNode {
    let folder = this.root;
    for (const name of splitPath(path)) {
      const child = folder.children.get(name);
      if (child === undefined) folder = this.createFolder(folder, name);
      else if (child.kind === 'folder') folder = child;
      else throw new ApiError(2004);
    }
    return folder;
  }

  /**
   * Stores `data` as `parent/name`. An existing file is overwritten in place (same fileid, as a
   * pCloud upload creates a new revision); an existing folder of that name is 2004.
   */
  writeFile(parent: FolderNode, name: string, data: Buffer, contenttype: string = contentTypeFor(name)): FileNode {
    validateName(name);
    const now = new Date();
    const existing = parent.children.get(name);
    if (existing?.kind === 'folder') throw new ApiError(2004);
    const hash = contentHash(data);
    if (existing !== undefined) {
      existing.data = data;
      existing.hash = hash;
      existing.contenttype = contenttype;
      existing.modified = now;
      parent.modified = now;
      return existing;
    }
    const file: FileNode = { kind: 'file', fileid: this.#ids.nextFileId(), name, parent, data, hash, contenttype, created: now, modified: now };
    parent.children.set(name, file);
    parent.modified = now;
    this.#files.set(file.fileid, file);
    return file;
  }

  /** Total size of every file (userinfo's `usedquota`). */
  usedBytes(): number {
    let total = 0;
    for (const file of this.#files.values()) total += file.data.length;
    return total;
  }

  /** Absolute path of a node ('/' for the root). */
  pathOf(node: TreeNode): string {
    const names: string[] = [];
    for (let n: TreeNode | undefined = node; n !== undefined && n !== this.root; n = n.parent) names.unshift(n.name);
    return `/${names.join('/')}`;
  }

  /** pCloud metadata of a file. */
  fileMetadata(file: FileNode): FileMetadata {
    const { category, icon } = categoryOf(file.contenttype);
    return {
      fileid: file.fileid,
      id: `f${file.fileid}`,
      name: file.name,
      path: this.pathOf(file),
      isfolder: false,
      parentfolderid: file.parent.folderid,
      size: file.data.length,
      contenttype: file.contenttype,
      hash: file.hash,
      category,
      created: formatPCloudDate(file.created),
      modified: formatPCloudDate(file.modified),
      ismine: true,
      thumb: category === 1 || category === 2,
      isshared: false,
      icon,
    };
  }

  /**
   * pCloud metadata of a folder; with `contents`, its children are listed (recursively with
   * `recursive`, files left out with `nofiles`), as listfolder does.
   */
  folderMetadata(folder: FolderNode, listing?: { recursive?: boolean; nofiles?: boolean }): FolderMetadata {
    const metadata: FolderMetadata = {
      folderid: folder.folderid,
      id: `d${folder.folderid}`,
      name: folder.name,
      path: this.pathOf(folder),
      isfolder: true,
      created: formatPCloudDate(folder.created),
      modified: formatPCloudDate(folder.modified),
      ismine: true,
      thumb: false,
      isshared: false,
      icon: 'folder',
    };
    if (folder.parent !== undefined) metadata.parentfolderid = folder.parent.folderid;
    if (listing !== undefined) {
      const contents: Metadata[] = [];
      for (const child of folder.children.values()) {
        if (child.kind === 'folder') contents.push(this.folderMetadata(child, listing.recursive === true ? listing : undefined));
        else if (listing.nofiles !== true) contents.push(this.fileMetadata(child));
      }
      metadata.contents = contents;
    }
    return metadata;
  }

  /** pCloud metadata of either kind of node. */
  metadata(node: TreeNode): Metadata {
    return node.kind === 'folder' ? this.folderMetadata(node) : this.fileMetadata(node);
  }
}
