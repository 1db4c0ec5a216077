/**
 * Fake pCloud accounts: credentials plus a filesystem each.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeFileSystem, splitPath } from './filesystem.js';
import type { FileMetadata, FolderMetadata, FolderNode, IdSequence, Metadata } from './filesystem.js';

/**
 * Options of `FakePCloud.addUser`. Tokens are random when absent.
 *
 * @example
 * const opts: AddUserOptions = { email: 'ann@example.test', auth: 'fixed-auth-token' };
 */
export interface AddUserOptions {
  /** The account's e-mail address (userinfo); default a unique `user<N>@example.test`. */
  email?: string;
  /** Session token accepted as the `auth` parameter. */
  auth?: string;
  /** OAuth token accepted as `access_token` or `Authorization: Bearer`. */
  accessToken?: string;
}

/**
 * A fake pCloud account, with helpers to arrange its files directly (no HTTP).
 *
 * @example
 * const user = fake.addUser();
 * user.writeFile('/photos/a.jpg', new Uint8Array([1, 2, 3])); // creates /photos too
 * await fetch(`${fake.url}/listfolder?folderid=0`, { headers: { Authorization: `Bearer ${user.accessToken}` } });
 */
export interface FakeUser {
  /** pCloud user id, unique per emulator. */
  readonly userid: number;
  /** The account's e-mail address. */
  readonly email: string;
  /** Session token for the `auth` parameter. */
  readonly auth: string;
  /** OAuth token for `access_token` or `Authorization: Bearer`. */
  readonly accessToken: string;
  /** Creates the folder and any missing parents (an existing folder is fine); returns its metadata. */
  mkdir(path: string): FolderMetadata;
  /** Writes a file, creating missing parent folders; overwrites an existing file. */
  writeFile(path: string, data: string | Uint8Array): FileMetadata;
  /**
   * Copies a real directory tree into `toPath` (default '/'), synchronously. Symbolic links and
   * special files are skipped, so a link loop cannot recurse forever.
   */
  seedFromDirectory(dir: string, toPath?: string): FolderMetadata;
  /** The bytes of a stored file, or undefined if there is no file at `path`. */
  readFile(path: string): Buffer | undefined;
  /** Metadata of whatever is at `path`, or undefined. */
  stat(path: string): Metadata | undefined;
}

/**
 * A user as the server sees it: the public handle plus the filesystem.
 *
 * @example
 * const state: UserState | undefined = users.byAuth(token);
 * state?.fs.root;
 */
export interface UserState {
  readonly user: FakeUser;
  readonly fs: FakeFileSystem;
}

function randomToken(): string {
  // 32 random bytes in base64url: 43 characters, under pCloud's 64-byte limit for auth tokens.
  return randomBytes(32).toString('base64url');
}

function copyDirectory(fs: FakeFileSystem, dir: string, into: FolderNode): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const source = join(dir, entry.name);
    if (entry.isDirectory()) {
      const existing = into.children.get(entry.name);
      const folder = existing?.kind === 'folder' ? existing : fs.createFolder(into, entry.name);
      copyDirectory(fs, source, folder);
    } else if (entry.isFile()) {
      fs.writeFile(into, entry.name, readFileSync(source));
    }
  }
}

function createUser(userid: number, ids: IdSequence, opts: Required<AddUserOptions>): UserState {
  const fs = new FakeFileSystem(ids);
  const user: FakeUser = {
    userid,
    email: opts.email,
    auth: opts.auth,
    accessToken: opts.accessToken,
    mkdir: (path) => fs.folderMetadata(fs.mkdirs(path)),
    writeFile: (path, data) => {
      const names = splitPath(path);
      const name = names.pop();
      if (name === undefined) throw new TypeError(`writeFile needs a file path, got '${path}'`);
      const parent = fs.mkdirs(`/${names.join('/')}`);
      return fs.fileMetadata(fs.writeFile(parent, name, Buffer.from(data)));
    },
    seedFromDirectory: (dir, toPath = '/') => {
      const into = fs.mkdirs(toPath);
      copyDirectory(fs, dir, into);
      return fs.folderMetadata(into);
    },
    readFile: (path) => {
      const node = fs.resolve(path);
      return node?.kind === 'file' ? Buffer.from(node.data) : undefined;
    },
    stat: (path) => {
      const node = fs.resolve(path);
      return node === undefined ? undefined : fs.metadata(node);
    },
  };
  return { user, fs };
}

/**
 * Every user of one server, indexed by token.
 *
 * @example
 * const users = new UserDirectory(new IdSequence());
 * const { user } = users.add({ email: 'a@example.test' });
 * users.byAuth(user.auth)?.user.userid === user.userid; // true
 */
export class UserDirectory {
  readonly #ids: IdSequence;
  readonly #byAuth = new Map<string, UserState>();
  readonly #byAccessToken = new Map<string, UserState>();
  #nextUserId = 1001;

  constructor(ids: IdSequence) {
    this.#ids = ids;
  }

  /** Adds a user; throws if a given token is already taken (tokens must identify one user). */
  add(opts: AddUserOptions = {}): UserState {
    const userid = this.#nextUserId++;
    const auth = opts.auth ?? randomToken();
    const accessToken = opts.accessToken ?? randomToken();
    if (auth === '' || accessToken === '') throw new TypeError('Tokens must not be empty');
    if (this.#isToken(auth) || this.#isToken(accessToken) || auth === accessToken) throw new TypeError('Token already in use by another user');
    const state = createUser(userid, this.#ids, { email: opts.email ?? `user${userid}@example.test`, auth, accessToken });
    this.#byAuth.set(auth, state);
    this.#byAccessToken.set(accessToken, state);
    return state;
  }

  /** The user whose `auth` token this is. */
  byAuth(token: string): UserState | undefined {
    return this.#byAuth.get(token);
  }

  /** The user whose OAuth access token this is. */
  byAccessToken(token: string): UserState | undefined {
    return this.#byAccessToken.get(token);
  }

  /** Every token of every user, so logs can be scrubbed of them. */
  secrets(): string[] {
    return [...this.#byAuth.keys(), ...this.#byAccessToken.keys()];
  }

  #isToken(token: string): boolean {
    return this.#byAuth.has(token) || this.#byAccessToken.has(token);
  }
}
