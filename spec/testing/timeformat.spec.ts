import { firstValueFrom } from 'rxjs';
import { zipFileMetadata$ } from '../../lib/index.js';
import { type FakePCloud, type FakeUser, type FileMetadata, type FolderMetadata, startFakePCloud } from '../../lib/testing/index.js';
import { call } from './helpers.js';

/**
 * The global parameter `timeformat` (pclouddoc api.txt, OPTIONAL GLOBAL PARAMETERS): "timestamp"
 * turns every datetime field into UTC unix seconds; any other value leaves the RFC 2822 form.
 */
describe('the emulator honours timeformat=timestamp', () => {
  let fake: FakePCloud;
  let user: FakeUser;
  beforeEach(async () => {
    fake = await startFakePCloud();
    user = fake.addUser();
    user.writeFile('/src/a.txt', 'hello');
  });
  afterEach(async () => {
    await fake.close();
  });

  const unix = (rfc2822: string): number => Date.parse(rfc2822) / 1000;

  it('stat: created and modified become unix seconds', async () => {
    const file = user.stat('/src/a.txt') as FileMetadata;
    const answer = await call(fake, 'stat', { auth: user.auth, path: '/src/a.txt', timeformat: 'timestamp' });
    expect(answer).toEqual({ result: 0, metadata: { ...file, created: unix(file.created), modified: unix(file.modified) } });
  });

  it('listfolder: every level of a recursive listing, from the query string too', async () => {
    const answer = (await call(fake, 'listfolder', { auth: user.auth, path: '/', recursive: '1', timeformat: 'timestamp' }, 'query')) as {
      metadata: FolderMetadata & { contents: (FolderMetadata & { contents: FileMetadata[] })[] };
    };
    const src = answer.metadata.contents[0];
    expect([typeof answer.metadata.created, typeof src?.modified, typeof src?.contents[0]?.created]).toEqual(['number', 'number', 'number']);
    expect(src?.contents[0]?.modified).toBe(unix((user.stat('/src/a.txt') as FileMetadata).modified));
  });

  it('userinfo: registered too', async () => {
    expect(await call(fake, 'userinfo', { auth: user.auth, timeformat: 'timestamp' })).toMatchObject({ registered: unix('Thu, 01 Jan 2026 00:00:00 +0000') });
  });

  it('any other value, or none, leaves the RFC 2822 strings', async () => {
    const file = user.stat('/src/a.txt') as FileMetadata;
    for (const params of [{}, { timeformat: 'iso' }, { timeformat: '' }] as Record<string, string>[]) {
      expect(await call(fake, 'stat', { auth: user.auth, path: '/src/a.txt', ...params })).toEqual({ result: 0, metadata: file });
    }
    expect(file.created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('errors are unchanged', async () => {
    expect(await call(fake, 'stat', { auth: user.auth, path: '/nope', timeformat: 'timestamp' })).toEqual({ result: 2055, error: 'File or folder not found' });
  });

  it('zipFileMetadata$ decodes a zip whose dates come as unix seconds, in the RFC 2822 form it documents', async () => {
    user.writeFile('/out/a.zip', 'zip bytes');
    const stored = user.stat('/out/a.zip') as FileMetadata;
    const job = { progresshash: 'h', apiUrl: fake.url, destination: { topath: '/out/a.zip' }, startedAt: Date.now() };
    // A proxy (or a cookie) may add timeformat=timestamp to every call: the library's own requests never do.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      const body = new URLSearchParams(await request.text());
      body.set('timeformat', 'timestamp');
      return globalThis.fetch(request.url, { method: 'POST', headers: request.headers, body, signal: request.signal });
    };
    const metadata = await firstValueFrom(zipFileMetadata$({ job, auth: user.auth, apiUrl: fake.url, fetch }));
    expect(fake.requests.at(-1)?.params).toMatchObject({ timeformat: 'timestamp' });
    expect(metadata).toEqual(stored);
    expect([metadata.created, metadata.modified]).toEqual([stored.created, stored.modified]);
    // The tofolderid + toname branch reads a listing: its entries are decoded the same way.
    const out = user.stat('/out') as FolderMetadata;
    const listed = await firstValueFrom(zipFileMetadata$({ job: { ...job, destination: { tofolderid: out.folderid, toname: 'a.zip' } }, auth: user.auth, apiUrl: fake.url, fetch }));
    expect(fake.requests.at(-1)).toMatchObject({ method: 'listfolder', params: { timeformat: 'timestamp' } });
    expect(listed).toEqual(stored);
  });
});
