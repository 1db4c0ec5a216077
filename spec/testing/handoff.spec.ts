import { startFakePCloud } from '../../lib/testing/index.js';
import type { FakePCloud, FakeUser, FileMetadata, FolderMetadata } from '../../lib/testing/index.js';
import { requestsOf } from '../support/requests.js';
import { waitFor } from '../support/wait.js';
import { call, unzip } from './helpers.js';

/** The emulator's side of hand-off: stat, a dropped savezip connection, jobs of another client. */
let fake: FakePCloud;
let user: FakeUser;
afterEach(() => fake.close());

async function start(options: Parameters<typeof startFakePCloud>[0] = {}): Promise<number> {
  fake = await startFakePCloud(options);
  user = fake.addUser();
  for (let i = 0; i < 4; i++) user.writeFile(`/src/f${i}.txt`, `file ${i} `.repeat(200));
  return (user.stat('/src') as FolderMetadata).folderid;
}

/** Sends savezip, then drops the connection once the job is running. */
async function droppedSavezip(folderid: number, topath: string): Promise<void> {
  const controller = new AbortController();
  const answer = fetch(`${fake.url}/savezip`, {
    method: 'POST',
    body: new URLSearchParams({ auth: user.auth, folderid: String(folderid), topath, progresshash: 'h1' }),
    signal: controller.signal,
  }).catch(() => undefined);
  await waitFor('the job to start', () => fake.jobs().length === 1 && fake.jobs()[0]!.files >= 1, 5000, 5);
  controller.abort();
  await answer;
  await waitFor('the server to see the drop', () => requestsOf(fake, 'savezip')[0]?.aborted === true, 2000, 5);
}

describe('stat', () => {
  it('answers the metadata of a file by path or fileid, and of a folder by path', async () => {
    await start();
    const file = user.stat('/src/f1.txt') as FileMetadata;
    expect(await call(fake, 'stat', { auth: user.auth, path: '/src/f1.txt' })).toEqual({ result: 0, metadata: file });
    expect(await call(fake, 'stat', { access_token: user.accessToken, fileid: String(file.fileid) })).toEqual({ result: 0, metadata: file });
    expect(await call(fake, 'stat', { auth: user.auth, path: '/src' })).toEqual({ result: 0, metadata: user.stat('/src') });
  });

  it.each([
    // 2055 "File or folder not found", as public clients record pCloud's stat answering.
    ['2055 for a missing file', { path: '/src/nope.txt' }, 2055],
    ['2055 for a missing folder', { path: '/gone' }, 2055],
    ['2055 for a missing folder on the path', { path: '/gone/f1.txt' }, 2055],
    ['2055 when a file stands for a folder on the path', { path: '/src/f1.txt/x' }, 2055],
    ['2009 for an unknown fileid', { fileid: '999999' }, 2009],
    ['1018 for a malformed fileid', { fileid: 'x' }, 1018],
    ['1004 without path or fileid', {}, 1004],
  ])('answers %s', async (_what, params: Record<string, string>, code) => {
    await start();
    expect(await call(fake, 'stat', { auth: user.auth, ...params })).toMatchObject({ result: code, error: expect.any(String) as unknown });
  });

  it('needs credentials like any method (1000)', async () => {
    await start();
    expect(await call(fake, 'stat', { path: '/src' })).toMatchObject({ result: 1000 });
  });

  it('answers 2055 with the text the live service sends', async () => {
    await start();
    expect(await call(fake, 'stat', { auth: user.auth, path: '/src/nope.txt' })).toEqual({ result: 2055, error: 'File or folder not found' });
  });
});

describe('a dropped savezip connection', () => {
  it('lets the zip go on by default: progress reaches the end and the zip is stored', async () => {
    const folderid = await start({ bytesPerSecond: 4000 });
    await droppedSavezip(folderid, '/out.zip');
    await waitFor('the zip to be stored', () => user.stat('/out.zip') !== undefined, 5000, 10);
    expect(fake.jobs()[0]).toMatchObject({ done: true, aborted: false, files: 4, totalfiles: 4 });
    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'h1' })).toMatchObject({ result: 0, files: 4, totalfiles: 4 });
    expect([...(await unzip(user.readFile('/out.zip')!)).keys()].sort()).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt']);
  });

  it("with savezipOnDisconnect 'abort' stops the job: progress answers 1901, nothing is stored", async () => {
    const folderid = await start({ bytesPerSecond: 4000, savezipOnDisconnect: 'abort' });
    await droppedSavezip(folderid, '/out.zip');
    await waitFor('the job to stop', () => fake.jobs()[0]?.aborted === true, 5000, 10);
    const job = fake.jobs()[0]!;
    expect(job.done).toBe(false);
    expect(job.files).toBeLessThan(4);
    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'h1' })).toMatchObject({ result: 1901 });
    expect(user.stat('/out.zip')).toBeUndefined();
  });

  it("'abort' leaves a savezip that gets its answer alone", async () => {
    const folderid = await start({ savezipOnDisconnect: 'abort' });
    expect(await call(fake, 'savezip', { auth: user.auth, folderid: String(folderid), topath: '/ok.zip' })).toMatchObject({ result: 0 });
    expect(fake.jobs()[0]).toMatchObject({ done: true, aborted: false });
  });

  it('refuses an unknown savezipOnDisconnect', async () => {
    await expect(startFakePCloud({ savezipOnDisconnect: 'drop' as never })).rejects.toThrow(/savezipOnDisconnect must be 'continue' or 'abort', got drop/);
  });
});

describe('startZip: a job started by another client', () => {
  it('starts a job under the given progresshash, visible to savezipprogress, and stores its zip', async () => {
    const folderid = await start({ bytesPerSecond: 8000 });
    const hash = fake.startZip(user, { folderid, topath: '/other.zip', progresshash: 'given' });
    expect(hash).toBe('given');
    expect(fake.requests).toHaveLength(0); // no HTTP call was made
    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'given' })).toMatchObject({ result: 0, totalfiles: 4 });
    await waitFor('the zip to be stored', () => user.stat('/other.zip') !== undefined, 5000, 10);
    expect(fake.jobs()[0]).toMatchObject({ progresshash: 'given', userid: user.userid, done: true });
  });

  it('makes up a random progresshash when none is given, and takes tofolderid + toname', async () => {
    const folderid = await start();
    const a = fake.startZip(user, { folderid, tofolderid: 0, toname: 'a.zip' });
    const b = fake.startZip(user, { folderid, tofolderid: 0, toname: 'b.zip' });
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
    await waitFor('both zips', () => user.stat('/a.zip') !== undefined && user.stat('/b.zip') !== undefined, 5000, 10);
  });

  it("throws pCloud's refusal at once (2004, 2005, 1016), like savezip would answer", async () => {
    const folderid = await start();
    user.writeFile('/taken.zip', 'x');
    expect(() => fake.startZip(user, { folderid, topath: '/taken.zip' })).toThrow(/2004/);
    expect(() => fake.startZip(user, { folderid, topath: '/gone/a.zip' })).toThrow(/2005/);
    expect(() => fake.startZip(user, { folderid })).toThrow(/1016/);
    expect(fake.jobs()).toHaveLength(0);
  });

  it('refuses a user of another emulator', async () => {
    const folderid = await start();
    const other = await startFakePCloud();
    try {
      const stranger = other.addUser();
      expect(() => fake.startZip(stranger, { folderid, topath: '/a.zip' })).toThrow(/a user of this emulator/);
    } finally {
      await other.close();
    }
  });

  it('a job still running at close leaves nothing behind', async () => {
    const folderid = await start({ bytesPerSecond: 100 });
    fake.startZip(user, { folderid, topath: '/slow.zip' });
    await fake.close();
    expect(fake.openConnections()).toBe(0);
  });
});
