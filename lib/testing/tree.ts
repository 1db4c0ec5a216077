/**
 * pCloud's "tree" parameters (folderid, folderids, fileids, excludefolderids, excludefileids)
 * turned into the list of zip entries savezip writes.
 */
import { ApiError } from './errors.js';
import type { FakeFileSystem, FileNode, FolderNode } from './filesystem.js';

/**
 * The files and folders of a tree, with their paths inside the zip.
 *
 * @example
 * const { files, folders } = resolveTree(fs, { folderid: '0' });
 * files.map((f) => f.zipPath); // ['a.txt', 'docs/b.txt']
 */
export interface ZipTree {
  /** Files in zip order; each file appears once even if several tree parameters name it. */
  readonly files: ReadonlyArray<{ readonly zipPath: string; readonly file: FileNode }>;
  /** Folder entries ('docs/'), so empty folders survive the round trip. */
  readonly folders: readonly string[];
}

const ID_LIST = /^\d+(,\d+)*$/;

function parseIds(value: string | undefined, invalidCode: number): number[] {
  if (value === undefined || value === '') return [];
  const compact = value.replace(/\s+/g, '');
  if (!ID_LIST.test(compact)) throw new ApiError(invalidCode);
  return compact.split(',').map(Number);
}

/**
 * Resolves the tree parameters of `params` against `fs`.
 *
 * Errors: no tree parameter at all -> 1002 "No full path or folderid provided." (pCloud documents
 * no code for this case; this is the closest pCloud text); malformed ids -> 1017 / 1018; a folder
 * that does not exist -> 2005; a file that does not exist -> 2009. Unknown ids in the exclude
 * lists are ignored.
 *
 * @example
 * resolveTree(fs, { folderids: '1001,1002', excludefileids: '10004' });
 */
export function resolveTree(fs: FakeFileSystem, params: Readonly<Record<string, string>>): ZipTree {
  const hasTree = ['folderid', 'folderids', 'fileids'].some((key) => params[key] !== undefined && params[key] !== '');
  if (!hasTree) throw new ApiError(1002);
  const rootFolder = parseIds(params.folderid, 1017);
  if (rootFolder.length > 1) throw new ApiError(1017);
  const folderIds = parseIds(params.folderids, 1017);
  const fileIds = parseIds(params.fileids, 1018);
  const excludedFolders = new Set(parseIds(params.excludefolderids, 1017));
  const excludedFiles = new Set(parseIds(params.excludefileids, 1018));

  const roots = rootFolder.map((id) => fs.requireFolder(id));
  const namedFolders = folderIds.map((id) => fs.requireFolder(id));
  const namedFiles = fileIds.map((id) => fs.requireFile(id));

  const files: Array<{ zipPath: string; file: FileNode }> = [];
  const folders: string[] = [];
  const seenFiles = new Set<number>();
  const seenFolders = new Set<number>();
  const addFile = (file: FileNode, zipPath: string): void => {
    if (excludedFiles.has(file.fileid) || seenFiles.has(file.fileid)) return;
    seenFiles.add(file.fileid);
    files.push({ zipPath, file });
  };
  const addContents = (folder: FolderNode, prefix: string): void => {
    for (const child of folder.children.values()) {
      if (child.kind === 'file') addFile(child, `${prefix}${child.name}`);
      else addFolder(child, `${prefix}${child.name}/`);
    }
  };
  /** `zipPath` '' puts the folder's contents at the zip root, without an entry of its own. */
  const addFolder = (folder: FolderNode, zipPath: string): void => {
    if (excludedFolders.has(folder.folderid) || seenFolders.has(folder.folderid)) return;
    seenFolders.add(folder.folderid);
    if (zipPath !== '') folders.push(zipPath);
    addContents(folder, zipPath);
  };

  for (const root of roots) addFolder(root, '');
  // The root has no name to make a root entry of: its contents go to the zip root instead.
  for (const folder of namedFolders) addFolder(folder, folder.parent === undefined ? '' : `${folder.name}/`);
  for (const file of namedFiles) addFile(file, file.name);
  return { files, folders };
}
