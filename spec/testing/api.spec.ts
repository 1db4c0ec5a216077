import { connect } from 'node:net';
import { startFakePCloud } from '../../lib/testing/index.js';
import type { FakePCloud, FakeUser, FileMetadata, FolderMetadata } from '../../lib/testing/index.js';
import { call, makeFixtureDir } from './helpers.js';

const PCLOUD_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

let fake: FakePCloud;
let user: FakeUser;

beforeEach(async () => {
  fake = await startFakePCloud({ hostname: 'eapi.fake.test' });
  user = fake.addUser({ email: 'ann@example.test' });
});
afterEach(() => fake.close());

describe('wire format', () => {
  it('currentserver needs no credentials and reports the configured hostname', async () => {
    const res = await fetch(`${fake.url}/currentserver`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({ result: 0, ip: '127.0.0.1', ipv6: '::1', hostname: 'eapi.fake.test' });
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers an OPTIONS preflight with 204 and the CORS headers, without consuming faults', async () => {
    fake.inject('userinfo', { type: 'api-error', code: 5000 });
    const res = await fetch(`${fake.url}/userinfo`, { method: 'OPTIONS', headers: { 'Access-Control-Request-Method': 'POST', Origin: 'http://app.test' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, OPTIONS');
    expect(await res.text()).toBe('');
    // The queued fault is still there for the real call.
    expect(await call(fake, 'userinfo', { auth: user.auth })).toMatchObject({ result: 5000 });
  });

  it('puts CORS headers on API errors too', async () => {
    const res = await fetch(`${fake.url}/userinfo`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({ result: 1000, error: 'Log in required.' });
  });

  it('closes the connection without an answer on an unknown method, like pCloud', async () => {
    const failure = await fetch(`${fake.url}/nosuchmethod`, { method: 'POST', body: new URLSearchParams({ auth: user.auth }) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    // undici's "fetch failed" (a TypeError of Node's realm): the socket closed without an answer.
    expect(failure).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'nosuchmethod', params: { auth: '[redacted]' } });
    // The server keeps serving.
    expect(await call(fake, 'userinfo', { auth: user.auth })).toMatchObject({ result: 0 });
  });

  it('closes the connection without an answer on malformed HTTP and on a body it cannot decode', async () => {
    const raw = (request: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = connect(Number(new URL(fake.url).port), '127.0.0.1');
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
        socket.on('error', reject);
        socket.on('close', () => {
          resolve(received);
        });
        socket.end(request);
      });
    expect(await raw('THIS IS NOT HTTP\r\n\r\n')).toBe('');
    const multipart = 'POST /userinfo HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=zz\r\nContent-Length: 9\r\n\r\nnot-parts';
    expect(await raw(multipart)).toBe('');
    expect(await call(fake, 'userinfo', { auth: user.auth })).toMatchObject({ result: 0 });
  });

  it('sends X-Error: <code> with every API error, exposed to browsers', async () => {
    const res = await fetch(`${fake.url}/userinfo`, { method: 'POST', body: new URLSearchParams({ auth: 'wrong' }) });
    expect(res.headers.get('x-error')).toBe('2000');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/(^|,\s*)X-Error(\s*,|$)/);
    expect(await res.json()).toEqual({ result: 2000, error: 'Log in failed.' });
    fake.inject('userinfo', { type: 'api-error', code: 5003 });
    expect((await fetch(`${fake.url}/userinfo`)).headers.get('x-error')).toBe('5003');
    const ok = await fetch(`${fake.url}/userinfo`, { method: 'POST', body: new URLSearchParams({ auth: user.auth }) });
    expect(ok.headers.get('x-error')).toBeNull();
  });

  it('reads parameters from the query string, the body and cookies, later ones winning', async () => {
    const docs = user.mkdir('/docs');
    const other = user.mkdir('/other');
    const post = (query: string, body: Record<string, string>, cookie?: string): Promise<Response> =>
      fetch(`${fake.url}/listfolder?${query}`, { method: 'POST', body: new URLSearchParams(body), headers: cookie === undefined ? {} : { cookie } });
    // Query only (GET, no body), body over query, cookie over both.
    expect(await (await fetch(`${fake.url}/listfolder?auth=${user.auth}&folderid=${docs.folderid}`)).json()).toMatchObject({ result: 0, metadata: { name: 'docs' } });
    expect(await (await post(`folderid=${docs.folderid}`, { auth: user.auth, folderid: String(other.folderid) })).json()).toMatchObject({ metadata: { name: 'other' } });
    expect(await (await post(`folderid=999999`, { folderid: '999998' }, `auth=${user.auth}; folderid=${docs.folderid}`)).json()).toMatchObject({ metadata: { name: 'docs' } });
    expect(fake.requests.at(-1)).toMatchObject({ credentials: 'cookie', params: { auth: '[redacted]' } });
  });

  it('reads parameters from the query string, a form body, or both (the body wins)', async () => {
    const docs = user.mkdir('/docs');
    const viaQuery = await call(fake, 'listfolder', { auth: user.auth, folderid: String(docs.folderid) }, 'query');
    const viaBody = await call(fake, 'listfolder', { auth: user.auth, folderid: String(docs.folderid) }, 'body');
    expect(viaQuery).toEqual(viaBody);
    expect(viaBody).toMatchObject({ result: 0, metadata: { name: 'docs' } });
    const mixed = await fetch(`${fake.url}/listfolder?folderid=999999&auth=${user.auth}`, { method: 'POST', body: new URLSearchParams({ folderid: String(docs.folderid) }) });
    expect(await mixed.json()).toMatchObject({ result: 0, metadata: { folderid: docs.folderid } });
  });
});

describe('credentials', () => {
  it.each([
    ['auth in the query', 'query', (u: FakeUser) => ({ params: { auth: u.auth }, headers: {} })],
    ['auth in the body', 'body', (u: FakeUser) => ({ params: { auth: u.auth }, headers: {} })],
    ['access_token in the query', 'query', (u: FakeUser) => ({ params: { access_token: u.accessToken }, headers: {} })],
    ['access_token in the body', 'body', (u: FakeUser) => ({ params: { access_token: u.accessToken }, headers: {} })],
    ['a Bearer header', 'header', (u: FakeUser) => ({ params: {}, headers: { Authorization: `Bearer ${u.accessToken}` } })],
  ] as const)('accepts %s', async (_name, where, creds) => {
    const { params, headers } = creds(user);
    const via = where === 'query' ? 'query' : 'body';
    const info = await call(fake, 'userinfo', params, via, headers);
    expect(info).toMatchObject({ result: 0, userid: user.userid, email: 'ann@example.test', emailverified: true, premium: false });
    expect(fake.requests.at(-1)?.credentials).toBe(where);
  });

  it('answers 1000 without credentials, 2000 to an unknown auth, 2094 to an unknown access token', async () => {
    expect(await call(fake, 'userinfo')).toEqual({ result: 1000, error: 'Log in required.' });
    expect(await call(fake, 'userinfo', { auth: 'nope' })).toEqual({ result: 2000, error: 'Log in failed.' });
    expect(await call(fake, 'userinfo', { access_token: 'nope' })).toEqual({ result: 2094, error: "Invalid 'access_token' provided." });
    expect(await call(fake, 'userinfo', {}, 'body', { Authorization: 'Bearer nope' })).toEqual({ result: 2094, error: "Invalid 'access_token' provided." });
    // A user's access token is not an auth token.
    expect(await call(fake, 'userinfo', { auth: user.accessToken })).toMatchObject({ result: 2000 });
  });

  it('keeps users apart: another user cannot see or zip my folders', async () => {
    const docs = user.mkdir('/docs');
    const other = fake.addUser();
    expect(await call(fake, 'listfolder', { auth: other.auth, folderid: String(docs.folderid) })).toMatchObject({ result: 2005 });
    expect(await call(fake, 'listfolder', { auth: other.auth, folderid: '0' })).toMatchObject({ result: 0, metadata: { contents: [] } });
    expect(await call(fake, 'savezip', { auth: other.auth, folderid: String(docs.folderid), topath: '/stolen.zip' })).toMatchObject({ result: 2005 });
    expect(other.stat('/stolen.zip')).toBeUndefined();
  });

  it('generates distinct random tokens and refuses reused ones', () => {
    const a = fake.addUser();
    expect(a.auth).toMatch(/^[\w-]{43}$/);
    expect(new Set([a.auth, a.accessToken, user.auth, user.accessToken]).size).toBe(4);
    expect(a.userid).not.toBe(user.userid);
    expect(() => fake.addUser({ auth: a.auth })).toThrow(TypeError);
    expect(fake.addUser({ auth: 'fixed', accessToken: 'fixed-oauth' })).toMatchObject({ auth: 'fixed', accessToken: 'fixed-oauth' });
  });
});

describe('userinfo', () => {
  it('reports quota usage from the stored files', async () => {
    user.writeFile('/a.bin', new Uint8Array(1234));
    const info = await call(fake, 'userinfo', { auth: user.auth });
    expect(info).toMatchObject({ usedquota: 1234, quota: 10 * 1024 ** 3 });
  });
});

describe('listfolder', () => {
  it('lists the root (folderid 0) with pCloud-shaped metadata', async () => {
    const file = user.writeFile('/docs/a.txt', 'hello');
    const res = await call(fake, 'listfolder', { auth: user.auth, folderid: '0' });
    const root = res.metadata as FolderMetadata;
    expect(root).toMatchObject({ folderid: 0, id: 'd0', name: '/', path: '/', isfolder: true, ismine: true, thumb: false, isshared: false, icon: 'folder' });
    expect(root.parentfolderid).toBeUndefined();
    expect(root.created).toMatch(PCLOUD_DATE);
    const [docs] = root.contents ?? [];
    expect(docs).toMatchObject({ name: 'docs', isfolder: true, parentfolderid: 0, path: '/docs' });
    // Not recursive: subfolders come without their contents.
    expect((docs as FolderMetadata).contents).toBeUndefined();

    const deep = await call(fake, 'listfolder', { auth: user.auth, path: '/', recursive: '1' });
    const [deepDocs] = (deep.metadata as FolderMetadata).contents ?? [];
    const [a] = (deepDocs as FolderMetadata).contents ?? [];
    expect(a).toEqual(file);
    expect(a).toMatchObject({ fileid: file.fileid, id: `f${file.fileid}`, name: 'a.txt', path: '/docs/a.txt', isfolder: false, size: 5, contenttype: 'text/plain', category: 4, icon: 'document', ismine: true, thumb: false, isshared: false });
    expect((a as FileMetadata).hash).toEqual(expect.any(Number));
    expect((a as FileMetadata).modified).toMatch(PCLOUD_DATE);
  });

  it('finds a folder by path', async () => {
    const docs = user.mkdir('/docs/2026');
    expect(await call(fake, 'listfolder', { auth: user.auth, path: '/docs/2026' })).toMatchObject({ result: 0, metadata: { folderid: docs.folderid, path: '/docs/2026' } });
  });

  it('answers 2005 for a missing folder, 1017 for a malformed id, 1002 with neither path nor folderid', async () => {
    expect(await call(fake, 'listfolder', { auth: user.auth, folderid: '424242' })).toEqual({ result: 2005, error: 'Directory does not exist.' });
    expect(await call(fake, 'listfolder', { auth: user.auth, path: '/nope' })).toEqual({ result: 2005, error: 'Directory does not exist.' });
    expect(await call(fake, 'listfolder', { auth: user.auth, folderid: 'abc' })).toMatchObject({ result: 1017 });
    expect(await call(fake, 'listfolder', { auth: user.auth })).toMatchObject({ result: 1002 });
  });
});

describe('createfolder', () => {
  it('creates by path and by folderid + name', async () => {
    const byPath = await call(fake, 'createfolder', { auth: user.auth, path: '/work' });
    expect(byPath).toMatchObject({ result: 0, metadata: { name: 'work', path: '/work', parentfolderid: 0, isfolder: true } });
    const parentId = (byPath.metadata as FolderMetadata).folderid;
    const byId = await call(fake, 'createfolder', { auth: user.auth, folderid: String(parentId), name: 'sub' });
    expect(byId).toMatchObject({ result: 0, metadata: { name: 'sub', path: '/work/sub', parentfolderid: parentId } });
    expect(user.stat('/work/sub')).toMatchObject({ isfolder: true });
  });

  it('answers 2004 when it exists, 2002 when the parent does not, 2005 for a missing folderid, 1001 without params', async () => {
    user.mkdir('/work');
    expect(await call(fake, 'createfolder', { auth: user.auth, path: '/work' })).toEqual({ result: 2004, error: 'File or folder alredy exists.' });
    expect(await call(fake, 'createfolder', { auth: user.auth, path: '/missing/child' })).toEqual({ result: 2002, error: 'A component of parent directory does not exist.' });
    expect(await call(fake, 'createfolder', { auth: user.auth, folderid: '777777', name: 'x' })).toMatchObject({ result: 2005 });
    expect(await call(fake, 'createfolder', { auth: user.auth })).toMatchObject({ result: 1001 });
  });
});

describe('uploadfile', () => {
  it('stores multipart files (and reads multipart fields as parameters)', async () => {
    user.mkdir('/in');
    const form = new FormData();
    form.append('auth', user.auth);
    form.append('path', '/in');
    form.append('file', new Blob([Buffer.from('first')]), 'one.txt');
    form.append('file', new Blob([new Uint8Array([0, 1, 2, 255])]), 'two.bin');
    const res = await fetch(`${fake.url}/uploadfile`, { method: 'POST', body: form });
    const body = (await res.json()) as { result: number; fileids: number[]; metadata: FileMetadata[] };
    expect(body.result).toBe(0);
    expect(body.metadata.map((m) => [m.name, m.size, m.path])).toEqual([['one.txt', 5, '/in/one.txt'], ['two.bin', 4, '/in/two.bin']]);
    expect(body.fileids).toEqual(body.metadata.map((m) => m.fileid));
    expect(user.readFile('/in/two.bin')).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(fake.requests.at(-1)).toMatchObject({ credentials: 'body', params: { auth: '[redacted]', path: '/in' } });
  });

  it('stores a raw PUT body under the filename parameter', async () => {
    const dir = user.mkdir('/raw');
    const res = await fetch(`${fake.url}/uploadfile?folderid=${dir.folderid}&filename=data.json`, {
      method: 'PUT',
      body: '{"a":1}',
      headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'application/octet-stream' },
    });
    expect(await res.json()).toMatchObject({ result: 0, metadata: [{ name: 'data.json', contenttype: 'application/json', size: 7, parentfolderid: dir.folderid }] });
    expect(user.readFile('/raw/data.json')?.toString()).toBe('{"a":1}');
  });

  it('answers 2005 for a missing destination folder', async () => {
    const form = new FormData();
    form.append('file', new Blob(['x']), 'x.txt');
    const res = await fetch(`${fake.url}/uploadfile?path=/nope&auth=${user.auth}`, { method: 'POST', body: form });
    expect(await res.json()).toMatchObject({ result: 2005 });
    expect(user.stat('/nope/x.txt')).toBeUndefined();
  });
});

describe('FakeUser helpers', () => {
  it('seeds from a real directory and reads files back', () => {
    const fixture = makeFixtureDir();
    try {
      const root = user.seedFromDirectory(fixture.dir, '/seeded');
      expect(root).toMatchObject({ path: '/seeded', isfolder: true });
      for (const [path, data] of fixture.files) expect(user.readFile(`/seeded/${path}`)).toEqual(data);
      expect(user.stat('/seeded/empty')).toMatchObject({ isfolder: true });
      expect(user.readFile('/seeded/missing.txt')).toBeUndefined();
      expect(user.readFile('/seeded/docs')).toBeUndefined();
    } finally {
      fixture.cleanup();
    }
  });

  it('writeFile creates parents and overwrites in place', () => {
    const first = user.writeFile('/a/b/c.txt', 'one');
    const second = user.writeFile('/a/b/c.txt', 'two!');
    expect(second.fileid).toBe(first.fileid);
    expect(second.size).toBe(4);
    expect(user.readFile('/a/b/c.txt')?.toString()).toBe('two!');
    expect(() => user.writeFile('/a/b', 'x')).toThrow(/2004/);
  });
});
