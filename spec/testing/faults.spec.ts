import { startFakePCloud } from '../../lib/testing/index.js';
import type { FakePCloud, FakeUser, FolderMetadata } from '../../lib/testing/index.js';
import { sleep, waitFor } from '../support/wait.js';
import { call } from './helpers.js';

let fake: FakePCloud;
let user: FakeUser;
beforeEach(async () => {
  fake = await startFakePCloud();
  user = fake.addUser();
});
afterEach(() => fake.close());

const userinfo = (): Promise<Response> => fetch(`${fake.url}/userinfo`, { method: 'POST', body: new URLSearchParams({ auth: user.auth }) });

describe('faults', () => {
  it('latency delays the answer, then answers normally', async () => {
    fake.inject('userinfo', { type: 'latency', ms: 120 });
    const started = Date.now();
    const res = await userinfo();
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(await res.json()).toMatchObject({ result: 0, userid: user.userid });
  });

  it.each([
    [5000, 'Internal error. Try again later.'],
    [5002, 'Internal error, no servers available. Try again later.'],
    [5003, 'Write error. Try reopening the file.'],
    [5004, 'Read error. Try reopening the file.'],
    [4010, 'Error 4010.'],
    [4000, 'Too many login tries from this IP address.'],
    [1000, 'Log in required.'],
    [2000, 'Log in failed.'],
    [1901, 'Zip not found'],
  ])('api-error %i answers HTTP 200 with pCloud text', async (code, error) => {
    fake.inject('userinfo', { type: 'api-error', code });
    const res = await userinfo();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ result: code, error });
  });

  it('api-error takes a custom text, and applies before authentication', async () => {
    fake.inject('userinfo', { type: 'api-error', code: 2003, error: 'Access denied.' });
    expect(await call(fake, 'userinfo')).toEqual({ result: 2003, error: 'Access denied.' });
    expect(await call(fake, 'userinfo')).toMatchObject({ result: 1000 });
  });

  it('http answers a non-200 status with an HTML body by default', async () => {
    fake.inject('userinfo', { type: 'http', status: 502 });
    const res = await userinfo();
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('502');
  });

  it('http sends custom headers and body (429 with Retry-After), CORS included', async () => {
    fake.inject('userinfo', { type: 'http', status: 429, body: 'slow down', headers: { 'Retry-After': '3', 'Content-Type': 'text/plain' } });
    const res = await userinfo();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.text()).toBe('slow down');
  });

  it('body answers HTTP 200 with the raw body', async () => {
    fake.inject('userinfo', { type: 'body', body: '{"result":0,' });
    fake.inject('userinfo', { type: 'body', body: '[1,2]', contentType: 'text/plain' });
    const malformed = await userinfo();
    expect(malformed.status).toBe(200);
    expect(malformed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await malformed.text()).toBe('{"result":0,');
    const array = await userinfo();
    expect(array.headers.get('content-type')).toBe('text/plain');
    expect(await array.text()).toBe('[1,2]');
  });

  it('drop closes the connection without an answer', async () => {
    fake.inject('userinfo', { type: 'drop' });
    await expect(userinfo()).rejects.toThrow('fetch failed'); // undici's TypeError (another realm than jest's)
    expect(await (await userinfo()).json()).toMatchObject({ result: 0 });
    expect(fake.requests.map((r) => r.aborted)).toEqual([false, false]);
  });

  it('hang never answers; the client abort is recorded', async () => {
    fake.inject('userinfo', { type: 'hang' });
    await expect(fetch(`${fake.url}/userinfo?auth=${user.auth}`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    await waitFor('the server to record the client abort', () => fake.requests[0]?.aborted === true, 250, 5);
    expect(fake.requests[0]).toMatchObject({ method: 'userinfo', aborted: true });
    expect(await (await userinfo()).json()).toMatchObject({ result: 0 });
  });

  it('queues per method, first in first out, with times and Infinity', async () => {
    fake.inject('userinfo', { type: 'api-error', code: 5000 }, { times: 2 });
    fake.inject('userinfo', { type: 'api-error', code: 4010 });
    fake.inject('currentserver', { type: 'api-error', code: 5002 }, { times: Infinity });
    const results: unknown[] = [];
    for (let i = 0; i < 4; i++) results.push(((await (await userinfo()).json()) as { result: number }).result);
    expect(results).toEqual([5000, 5000, 4010, 0]);
    for (let i = 0; i < 5; i++) expect(await call(fake, 'currentserver')).toMatchObject({ result: 5002 });
    fake.clearFaults();
    expect(await call(fake, 'currentserver')).toMatchObject({ result: 0 });
  });

  it('rejects invalid faults up front', () => {
    expect(() => { fake.inject('userinfo', { type: 'delay-registration', ms: 10 }); }).toThrow(TypeError);
    expect(() => { fake.inject('userinfo', { type: 'latency', ms: -1 }); }).toThrow(RangeError);
    expect(() => { fake.inject('userinfo', { type: 'http', status: 99 }); }).toThrow(RangeError);
    expect(() => { fake.inject('userinfo', { type: 'drop' }, { times: 0 }); }).toThrow(RangeError);
    expect(() => { fake.inject('userinfo', { type: 'api-error', code: 0 }); }).toThrow(RangeError);
  });

  it('delay-registration: savezipprogress answers 1901 until the hash is registered', async () => {
    await fake.close();
    fake = await startFakePCloud({ bytesPerSecond: 10_000 });
    user = fake.addUser();
    const folder = user.mkdir('/slow');
    for (let i = 0; i < 3; i++) user.writeFile(`/slow/${i}.bin`, new Uint8Array(1000)); // 300 ms in total
    fake.inject('savezip', { type: 'delay-registration', ms: 120 });
    const zipping = call(fake, 'savezip', { auth: user.auth, folderid: String(folder.folderid), topath: '/slow.zip', progresshash: 'late' });
    await sleep(30);
    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'late' })).toEqual({ result: 1901, error: 'Zip not found' });
    expect(fake.jobs()[0]).toMatchObject({ registered: false, done: false });
    await sleep(130);
    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'late' })).toMatchObject({ result: 0, totalfiles: 3, totalbytes: 3000 });
    expect(await zipping).toMatchObject({ result: 0 });
    expect(await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'late' })).toMatchObject({ result: 0, files: 3, totalfiles: 3 });
  });

  it('a non-registration fault on savezip fails the call without starting a job', async () => {
    user.writeFile('/x/a.txt', 'a');
    fake.inject('savezip', { type: 'api-error', code: 5000 });
    const params = { auth: user.auth, folderid: String((user.stat('/x') as FolderMetadata).folderid), topath: '/x.zip', progresshash: 'h' };
    expect(await call(fake, 'savezip', params)).toMatchObject({ result: 5000 });
    expect(fake.jobs()).toHaveLength(0);
    expect(await call(fake, 'savezip', params)).toMatchObject({ result: 0 });
  });
});
