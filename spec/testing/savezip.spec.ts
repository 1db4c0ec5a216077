import { startFakePCloud } from '../../lib/testing/index.js';
import type { FakePCloud, FakeUser, FileMetadata, FolderMetadata } from '../../lib/testing/index.js';
import { clientConnection } from '../support/connection.js';
import { requestsOf } from '../support/requests.js';
import { sleep, waitFor } from '../support/wait.js';
import { call, filesOf, makeFixtureDir, unzip } from './helpers.js';
import type { Json } from './helpers.js';

const fixture = makeFixtureDir();
afterAll(() => { fixture.cleanup(); });

let fake: FakePCloud;
let user: FakeUser;
afterEach(() => fake.close());

async function start(options: Parameters<typeof startFakePCloud>[0] = {}): Promise<void> {
  fake = await startFakePCloud(options);
  user = fake.addUser();
  user.seedFromDirectory(fixture.dir, '/src');
}

function folderId(path: string): string {
  return String((user.stat(path) as FolderMetadata).folderid);
}
function fileId(path: string): string {
  return String((user.stat(path) as FileMetadata).fileid);
}

/** savezip, then the zip's files as stored in the user's filesystem. */
async function zipFiles(params: Record<string, string>, topath = '/out.zip'): Promise<Map<string, Buffer>> {
  const res = await call(fake, 'savezip', { auth: user.auth, topath, ...params });
  expect(res).toMatchObject({ result: 0, metadata: { contenttype: 'application/zip', isfolder: false, path: topath } });
  const stored = user.readFile(topath);
  expect(stored).toBeDefined();
  expect((res.metadata as FileMetadata).size).toBe(stored!.length);
  return filesOf(await unzip(stored!));
}

function fixtureUnder(prefix: string, rename = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [path, data] of fixture.files) if (path.startsWith(prefix)) out.set(rename + path.slice(prefix.length), data);
  return out;
}

describe('savezip contents', () => {
  beforeEach(() => start());

  it('folderid: the folder contents become the zip root, with exact names and bytes', async () => {
    const files = await zipFiles({ folderid: folderId('/src') });
    expect(files).toEqual(fixture.files);
    const entries = await unzip(user.readFile('/out.zip')!);
    expect(entries.has('empty/')).toBe(true);
  });

  it('folderids: each folder is a root entry named after it', async () => {
    const files = await zipFiles({ folderids: `${folderId('/src/docs')},${folderId('/src/photos')}` });
    expect(files).toEqual(new Map([...fixtureUnder('docs/', 'docs/'), ...fixtureUnder('photos/', 'photos/')]));
  });

  it('fileids: files at the zip root', async () => {
    const files = await zipFiles({ fileids: `${fileId('/src/readme.txt')},${fileId('/src/docs/notes/todo.md')}` });
    expect(files).toEqual(new Map([['readme.txt', fixture.files.get('readme.txt')!], ['todo.md', fixture.files.get('docs/notes/todo.md')!]]));
  });

  it('excludefolderids and excludefileids leave things out', async () => {
    const files = await zipFiles({
      folderid: folderId('/src'),
      excludefolderids: folderId('/src/docs/notes'),
      excludefileids: fileId('/src/photos/cat.jpg'),
    });
    expect([...files.keys()].sort()).toEqual(['docs/report.pdf', 'readme.txt']);
  });

  it('combines tree parameters without zipping a file twice', async () => {
    const files = await zipFiles({ folderids: folderId('/src/photos'), fileids: `${fileId('/src/photos/cat.jpg')},${fileId('/src/readme.txt')}` });
    expect([...files.keys()].sort()).toEqual(['photos/cat.jpg', 'readme.txt']);
    expect(fake.jobs().at(-1)).toMatchObject({ totalfiles: 2, files: 2, done: true });
  });

  it('writes to tofolderid + toname', async () => {
    const out = user.mkdir('/zips');
    const res = await call(fake, 'savezip', { auth: user.auth, folderid: folderId('/src/photos'), tofolderid: String(out.folderid), toname: 'p.zip' });
    expect(res).toMatchObject({ result: 0, metadata: { name: 'p.zip', path: '/zips/p.zip', parentfolderid: out.folderid } });
    expect(filesOf(await unzip(user.readFile('/zips/p.zip')!))).toEqual(fixtureUnder('photos/'));
  });

  it('lists the stored zip in its folder afterwards', async () => {
    await zipFiles({ folderid: folderId('/src/photos') });
    const root = await call(fake, 'listfolder', { auth: user.auth, folderid: '0' });
    expect((root.metadata as FolderMetadata).contents?.map((m) => m.name).sort()).toEqual(['out.zip', 'src']);
  });
});

describe('savezip errors', () => {
  beforeEach(() => start());

  it.each([
    ['no destination', { folderid: 'SRC' }, { result: 1016, error: 'No full topath or toname/tofolderid provided.' }],
    ['toname without tofolderid', { folderid: 'SRC', toname: 'a.zip' }, { result: 1016, error: 'No full topath or toname/tofolderid provided.' }],
    ['a relative topath', { folderid: 'SRC', topath: 'a.zip' }, { result: 1016, error: 'No full topath or toname/tofolderid provided.' }],
    ['no tree', { topath: '/a.zip' }, { result: 1002, error: 'No full path or folderid provided.' }],
    ['an existing destination', { folderid: 'SRC', topath: '/src/readme.txt' }, { result: 2004, error: 'File or folder alredy exists.' }],
    ['a missing tree folder', { folderid: '99999', topath: '/a.zip' }, { result: 2005, error: 'Directory does not exist.' }],
    ['a missing folder in folderids', { folderids: 'SRC,99999', topath: '/a.zip' }, { result: 2005, error: 'Directory does not exist.' }],
    ['a missing file', { fileids: '99999', topath: '/a.zip' }, { result: 2009, error: 'File not found.' }],
    ['malformed fileids', { fileids: '1,x', topath: '/a.zip' }, { result: 1018, error: "Invalid 'fileid' provided." }],
    ['a missing destination folder (topath)', { folderid: 'SRC', topath: '/nope/a.zip' }, { result: 2005, error: 'Directory does not exist.' }],
    ['a missing destination folder (tofolderid)', { folderid: 'SRC', tofolderid: '99999', toname: 'a.zip' }, { result: 2005, error: 'Directory does not exist.' }],
  ])('answers %s', async (_name, params: Record<string, string>, expected) => {
    const resolved = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.replace('SRC', folderId('/src'))]));
    expect(await call(fake, 'savezip', { auth: user.auth, ...resolved })).toEqual(expected);
    expect(fake.jobs()).toHaveLength(0);
  });

  it('requires credentials', async () => {
    expect(await call(fake, 'savezip', { folderid: folderId('/src'), topath: '/a.zip' })).toMatchObject({ result: 1000 });
  });
});

describe('savezipprogress', () => {
  it('moves one file at a time at the configured speed and ends at files == totalfiles', async () => {
    await start({ bytesPerSecond: 20_000 });
    // 4 files of distinct sizes: 200+400+600+800 bytes at 20 kB/s = 100 ms in total.
    const sizes = [200, 400, 600, 800];
    sizes.forEach((size, i) => user.writeFile(`/speed/f${i}.bin`, new Uint8Array(size).fill(i)));
    const prefixSums = sizes.map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0));

    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'job-1' })).toEqual({ result: 1901, error: 'Zip not found' });
    const started = Date.now();
    let finished = false;
    const zipping = call(fake, 'savezip', { auth: user.auth, folderid: folderId('/speed'), topath: '/speed.zip', progresshash: 'job-1' }).then((res) => {
      finished = true;
      return res;
    });
    const seen: Json[] = [];
    // Polls every 2 ms until savezip answers.
    await waitFor('savezip to answer', async () => {
      if (finished) return true;
      const progress = await call(fake, 'savezipprogress', { access_token: user.accessToken, progresshash: 'job-1' });
      if (!finished) seen.push(progress);
      return false;
    }, 5000, 2);
    const res = await zipping;
    expect(res).toMatchObject({ result: 0, metadata: { name: 'speed.zip' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);

    for (const p of seen) {
      expect(p).toMatchObject({ result: 0, totalfiles: 4, totalbytes: 2000 });
      const files = p.files as number;
      // Per-file steps: bytes is always the sum of the first `files` sizes.
      expect(p.bytes).toBe(files === 0 ? 0 : prefixSums[files - 1]);
    }
    const fileCounts = seen.map((p) => p.files as number);
    expect(fileCounts).toEqual([...fileCounts].sort((a, b) => a - b));
    expect(new Set(fileCounts).size).toBeGreaterThanOrEqual(3);
    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'job-1' })).toEqual({ result: 0, files: 4, totalfiles: 4, bytes: 2000, totalbytes: 2000 });
  });

  it('keeps a finished job readable for finishedJobTtlMs, then answers 1901', async () => {
    await start({ finishedJobTtlMs: 150 });
    await zipFiles({ folderid: folderId('/src'), progresshash: 'ttl' });
    const total = [...fixture.files.values()].reduce((sum, data) => sum + data.length, 0);
    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'ttl' })).toEqual({ result: 0, files: 4, totalfiles: 4, bytes: total, totalbytes: total });
    await sleep(200);
    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'ttl' })).toEqual({ result: 1901, error: 'Zip not found' });
    expect(fake.jobs()).toEqual([expect.objectContaining({ progresshash: 'ttl', done: true, files: 4, totalfiles: 4 })]);
  });

  it("answers 1901 to another user's hash and to a call without progresshash", async () => {
    await start();
    await zipFiles({ folderid: folderId('/src'), progresshash: 'mine' });
    const other = fake.addUser();
    // Other connections than the one `user` logged in on: pCloud binds a connection to its first login.
    const otherSocket = clientConnection();
    const anonymousSocket = clientConnection();
    try {
      expect(await call(fake, 'savezipprogress', { auth: other.auth, progresshash: 'mine' }, 'body', {}, otherSocket.fetch)).toMatchObject({ result: 1901 });
      expect(await call(fake, 'savezipprogress', { auth: user.auth })).toMatchObject({ result: 1901 });
      expect(await call(fake, 'savezipprogress', { progresshash: 'mine' }, 'body', {}, anonymousSocket.fetch)).toMatchObject({ result: 1000 });
    } finally {
      await Promise.all([otherSocket.close(), anonymousSocket.close()]);
    }
  });

  it('runs savezip without a progresshash too', async () => {
    await start();
    await zipFiles({ folderid: folderId('/src/photos') });
    expect(fake.jobs()).toEqual([expect.objectContaining({ progresshash: undefined, registered: false, done: true, totalfiles: 1 })]);
  });

  it('zips the bytes the job started with when a file is overwritten mid-job', async () => {
    await start({ bytesPerSecond: 10_000 });
    // a.bin alone takes 200 ms to zip: b.bin is overwritten well before the job reaches it.
    const a = Buffer.alloc(2000, 1);
    const b = Buffer.alloc(100, 2);
    user.writeFile('/mid/a.bin', a);
    user.writeFile('/mid/b.bin', b);
    const zipping = call(fake, 'savezip', { auth: user.auth, folderid: folderId('/mid'), topath: '/mid.zip', progresshash: 'mid' });
    // The job is listed as soon as it starts, synchronously up to its first wait (on a.bin).
    await waitFor('the zip job to be listed', () => fake.jobs().length > 0, 5000, 1);
    expect(fake.jobs()[0]).toMatchObject({ files: 0, totalfiles: 2, totalbytes: 2100, done: false });
    const replaced = Buffer.alloc(300, 3);
    user.writeFile('/mid/b.bin', replaced);

    expect(await zipping).toMatchObject({ result: 0 });
    expect(filesOf(await unzip(user.readFile('/mid.zip')!))).toEqual(new Map([['a.bin', a], ['b.bin', b]]));
    expect(user.readFile('/mid/b.bin')).toEqual(replaced);
    expect(fake.jobs()[0]).toMatchObject({ files: 2, totalfiles: 2, bytes: 2100, totalbytes: 2100, done: true });
    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'mid' })).toEqual({ result: 0, files: 2, totalfiles: 2, bytes: 2100, totalbytes: 2100 });
  });

  it('keeps zipping when the client disconnects, as pCloud does', async () => {
    await start({ bytesPerSecond: 10_000 });
    user.writeFile('/big/a.bin', new Uint8Array(500));
    user.writeFile('/big/b.bin', new Uint8Array(500));
    const abort = new AbortController();
    const request = fetch(`${fake.url}/savezip`, {
      method: 'POST',
      body: new URLSearchParams({ auth: user.auth, folderid: folderId('/big'), topath: '/big.zip', progresshash: 'gone' }),
      signal: abort.signal,
    });
    await sleep(20);
    abort.abort();
    await expect(request).rejects.toThrow();
    expect(user.stat('/big.zip')).toBeUndefined();
    await waitFor('the zip to be stored after the client left', () => user.stat('/big.zip') !== undefined, 1000, 10);
    expect(filesOf(await unzip(user.readFile('/big.zip')!))).toEqual(new Map([['a.bin', Buffer.alloc(500)], ['b.bin', Buffer.alloc(500)]]));
    expect(requestsOf(fake, 'savezip')[0]).toMatchObject({ aborted: true });
  });
});
