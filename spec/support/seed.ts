import type { FakeUser } from '../../lib/testing/index.js';

/** The folderid of the folder at `path` in the user's tree; throws when there is none (a seeding mistake). */
export function folderidOf(user: FakeUser, path: string): number {
  const folder = user.stat(path);
  if (folder === undefined || !('folderid' in folder)) throw new Error(`seeding failed: no folder at ${path}`);
  return folder.folderid;
}

/**
 * Writes `files` files of `bytes` bytes each (file i filled with byte i) into the folder `dir`,
 * named by `name`, and returns the folder's folderid: the tree a spec zips.
 */
export function seedFolder(user: FakeUser, dir: string, files: number, bytes: number, name = (i: number): string => `part-${i}.bin`): number {
  for (let i = 0; i < files; i++) user.writeFile(`${dir}/${name(i)}`, Buffer.alloc(bytes, i));
  return folderidOf(user, dir);
}
