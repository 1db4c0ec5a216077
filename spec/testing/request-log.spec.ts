import { startFakePCloud } from '../../lib/testing/index.js';
import type { FakePCloud, FakeUser } from '../../lib/testing/index.js';
import { call } from './helpers.js';

let fake: FakePCloud;
let user: FakeUser;
const lines: string[] = [];
beforeEach(async () => {
  lines.length = 0;
  fake = await startFakePCloud({ log: (line) => lines.push(line) });
  user = fake.addUser();
});
afterEach(() => fake.close());

describe('request log', () => {
  it('records every request in order, with method, params, content type and timestamps', async () => {
    const before = Date.now();
    await call(fake, 'currentserver', {}, 'query');
    await call(fake, 'listfolder', { auth: user.auth, folderid: '0' }, 'body');
    expect(fake.requests).toEqual([
      { method: 'currentserver', httpMethod: 'GET', params: {}, credentials: 'none', connection: expect.any(Number) as number, at: expect.any(Number) as number, aborted: false },
      {
        method: 'listfolder',
        httpMethod: 'POST',
        params: { auth: '[redacted]', folderid: '0' },
        contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
        credentials: 'body',
        userid: user.userid,
        connection: expect.any(Number) as number,
        at: expect.any(Number) as number,
        aborted: false,
      },
    ]);
    expect(fake.requests[0]!.at).toBeGreaterThanOrEqual(before);
    expect(fake.requests[1]!.at).toBeGreaterThanOrEqual(fake.requests[0]!.at);
  });

  it('never keeps or logs a credential, wherever it was sent (even a wrong one, even in the path)', async () => {
    await call(fake, 'userinfo', { auth: user.auth }, 'query');
    await call(fake, 'userinfo', { access_token: user.accessToken }, 'body');
    await call(fake, 'userinfo', {}, 'body', { Authorization: `Bearer ${user.accessToken}` });
    await call(fake, 'userinfo', { auth: 'wrong-secret-token' }, 'query');
    await call(fake, 'userinfo', { password: 'hunter2' }, 'body');
    // An unknown method: the emulator closes the connection without an answer, as pCloud does.
    await fetch(`${fake.url}/${user.auth}?auth=${user.auth}`).catch(() => undefined);
    const stored = JSON.stringify(fake.requests) + lines.join('\n');
    for (const secret of [user.auth, user.accessToken, 'wrong-secret-token', 'hunter2']) expect(stored).not.toContain(secret);
    expect(fake.requests.map((r) => r.credentials)).toEqual(['query', 'body', 'header', 'query', 'body', 'query']);
    expect(fake.requests[0]!.params).toEqual({ auth: '[redacted]' });
    expect(fake.requests[4]!.params).toEqual({ password: '[redacted]' });
    expect(fake.requests[5]!.method).toBe('[redacted]');
  });

  it('reports the most exposed place when credentials arrive in several', async () => {
    await call(fake, 'userinfo', { access_token: user.accessToken }, 'query', { Authorization: `Bearer ${user.accessToken}` });
    expect(fake.requests[0]!.credentials).toBe('query');
  });

  it('logs one line per request with the outcome and only parameter names', async () => {
    await call(fake, 'savezipprogress', { auth: user.auth, progresshash: 'abc' });
    expect(lines[0]).toMatch(/^fake pCloud listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toMatch(new RegExp(`^POST /savezipprogress 200 result=1901 credentials=body user=${user.userid} conn=1 params=progresshash \\d+ms$`));
  });
});
