import { connect } from 'node:net';
import { startFakePCloud } from '../../lib/testing/index.js';
import type { FakePCloud, FakePCloudOptions, FakeUser } from '../../lib/testing/index.js';
import { clientConnection } from '../support/connection.js';
import type { ClientConnection } from '../support/connection.js';
import { waitFor } from '../support/wait.js';
import type { Json } from './helpers.js';

// pCloud's api.txt: "On a single connection (i.e. keep-alive connection) you need to authenticate
// successfully just once. All requests after that will ignore any user credentials passed and will
// use the ones from the successful authentication."

let fake: FakePCloud;
let ann: FakeUser;
let bob: FakeUser;
const lines: string[] = [];
const clients: ClientConnection[] = [];

async function start(options: FakePCloudOptions = {}): Promise<void> {
  fake = await startFakePCloud({ ...options, log: (line) => lines.push(line) });
  ann = fake.addUser({ email: 'ann@example.test' });
  bob = fake.addUser({ email: 'bob@example.test' });
  ann.writeFile('/ann-only.txt', 'ann');
  bob.writeFile('/bob-only.txt', 'bob');
}

/** A client whose requests all ride one keep-alive socket. */
function oneSocket(): ClientConnection {
  const client = clientConnection({ connections: 1 });
  clients.push(client);
  return client;
}

async function call(client: ClientConnection, method: string, params: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Json> {
  const res = await client.fetch(`${fake.url}/${method}`, { method: 'POST', body: new URLSearchParams(params), headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

function rootNames(body: Json): string[] {
  return ((body.metadata as { contents: { name: string }[] }).contents).map((entry) => entry.name);
}

beforeEach(() => {
  lines.length = 0;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await fake.close();
});

describe('one connection, one account (binding on by default)', () => {
  beforeEach(() => start());

  it('acts as the first user who logged in on the socket, whatever token a later request carries', async () => {
    const socket = oneSocket();
    expect(rootNames(await call(socket, 'listfolder', { auth: ann.auth, folderid: '0' }))).toEqual(['ann-only.txt']);
    // Bob's own token, on Ann's socket: Ann's drive.
    expect(rootNames(await call(socket, 'listfolder', { auth: bob.auth, folderid: '0' }))).toEqual(['ann-only.txt']);
    expect(await call(socket, 'userinfo', { access_token: bob.accessToken })).toMatchObject({ result: 0, userid: ann.userid, email: 'ann@example.test' });
    expect(await call(socket, 'userinfo', {}, { Authorization: `Bearer ${bob.accessToken}` })).toMatchObject({ result: 0, userid: ann.userid });
    expect(fake.requests.map((r) => r.connection)).toEqual([1, 1, 1, 1]);
    expect(fake.requests.map((r) => r.userid)).toEqual([ann.userid, ann.userid, ann.userid, ann.userid]);
  });

  it("answers 1901 to the other account's job, and its savezip lands in the first account's drive", async () => {
    const bobsJob = fake.startZip(bob, { folderid: 0, topath: '/bob.zip', progresshash: 'bobs-job' });
    const socket = oneSocket();
    await call(socket, 'userinfo', { auth: ann.auth });
    expect(await call(socket, 'savezipprogress', { auth: bob.auth, progresshash: bobsJob })).toMatchObject({ result: 1901 });
    expect(await call(socket, 'savezip', { auth: bob.auth, folderid: '0', topath: '/from-bob.zip' })).toMatchObject({ result: 0 });
    expect(ann.stat('/from-bob.zip')).toBeDefined();
    expect(bob.stat('/from-bob.zip')).toBeUndefined();
    expect(fake.requests.map((r) => [r.method, r.userid])).toEqual([['userinfo', ann.userid], ['savezipprogress', ann.userid], ['savezip', ann.userid]]);
  });

  it('acts as the bound user for a request with an unknown token or none at all', async () => {
    const socket = oneSocket();
    await call(socket, 'userinfo', { auth: ann.auth });
    expect(await call(socket, 'userinfo', { auth: 'no-such-token' })).toMatchObject({ result: 0, userid: ann.userid });
    expect(await call(socket, 'userinfo', { access_token: 'no-such-token' })).toMatchObject({ result: 0, userid: ann.userid });
    expect(await call(socket, 'userinfo')).toMatchObject({ result: 0, userid: ann.userid });
  });

  it('lets each connection act as its own user', async () => {
    const annSocket = oneSocket();
    const bobSocket = oneSocket();
    expect(await call(annSocket, 'userinfo', { auth: ann.auth })).toMatchObject({ userid: ann.userid });
    expect(await call(bobSocket, 'userinfo', { auth: bob.auth })).toMatchObject({ userid: bob.userid });
    expect(await call(annSocket, 'userinfo', { auth: ann.auth })).toMatchObject({ userid: ann.userid });
    expect(rootNames(await call(bobSocket, 'listfolder', { auth: bob.auth, folderid: '0' }))).toEqual(['bob-only.txt']);
    expect(fake.requests.map((r) => [r.connection, r.userid])).toEqual([[1, ann.userid], [2, bob.userid], [1, ann.userid], [2, bob.userid]]);
  });

  it('binds nothing on a failed login: the next successful one binds', async () => {
    const socket = oneSocket();
    expect(await call(socket, 'userinfo', { auth: 'no-such-token' })).toMatchObject({ result: 2000 });
    expect(await call(socket, 'userinfo', { access_token: 'no-such-token' })).toMatchObject({ result: 2094 });
    expect(await call(socket, 'userinfo')).toMatchObject({ result: 1000 });
    expect(await call(socket, 'userinfo', { auth: bob.auth })).toMatchObject({ result: 0, userid: bob.userid });
    expect(await call(socket, 'userinfo', { auth: ann.auth })).toMatchObject({ result: 0, userid: bob.userid });
    expect(fake.requests.map((r) => r.userid)).toEqual([undefined, undefined, undefined, bob.userid, bob.userid]);
    expect(new Set(fake.requests.map((r) => r.connection))).toEqual(new Set([1]));
  });

  it('binds on a valid credential sent to currentserver, not on a missing or unknown one', async () => {
    const anonymous = oneSocket();
    expect(await call(anonymous, 'currentserver')).toMatchObject({ result: 0 });
    expect(await call(anonymous, 'currentserver', { auth: 'no-such-token' })).toMatchObject({ result: 0 });
    expect(await call(anonymous, 'userinfo', { auth: bob.auth })).toMatchObject({ userid: bob.userid });
    const credentialed = oneSocket();
    expect(await call(credentialed, 'currentserver', { auth: ann.auth })).toMatchObject({ result: 0 });
    expect(await call(credentialed, 'userinfo', { auth: bob.auth })).toMatchObject({ userid: ann.userid });
    expect(fake.requests.map((r) => [r.method, r.connection, r.userid])).toEqual([
      ['currentserver', 1, undefined],
      ['currentserver', 1, undefined],
      ['userinfo', 1, bob.userid],
      ['currentserver', 2, ann.userid],
      ['userinfo', 2, ann.userid],
    ]);
  });

  it('binds pipelined requests in the order they were sent', async () => {
    // Two requests in one write: a POST whose body takes a moment to decode, then a bare GET.
    const body = new URLSearchParams({ auth: ann.auth, folderid: '0' }).toString();
    const { host, port } = new URL(fake.url);
    const raw = [
      `POST /listfolder HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      `GET /userinfo?auth=${encodeURIComponent(bob.auth)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    ].join('');
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(raw);
    try {
      await waitFor('both answers', () => (received.match(/HTTP\/1\.1 200/g) ?? []).length === 2 && received.trimEnd().endsWith('}'));
    } finally {
      socket.destroy();
    }
    expect(fake.requests.map((r) => [r.method, r.userid])).toEqual([['listfolder', ann.userid], ['userinfo', ann.userid]]);
    expect(received).toContain('"email":"ann@example.test"');
    expect(received).not.toContain('bob@example.test');
  });

  it('logs the user and the connection of each request, never a token', async () => {
    const socket = oneSocket();
    await call(socket, 'userinfo', { auth: 'no-such-token' });
    await call(socket, 'userinfo', { auth: ann.auth });
    await call(socket, 'userinfo', { auth: bob.auth });
    const requestLines = lines.filter((line) => line.startsWith('POST '));
    expect(requestLines).toEqual([
      expect.stringMatching(/^POST \/userinfo 200 result=2000 credentials=body user=- conn=1 params= \d+ms$/),
      expect.stringMatching(new RegExp(`^POST /userinfo 200 result=0 credentials=body user=${ann.userid} conn=1 params= \\d+ms$`)),
      expect.stringMatching(new RegExp(`^POST /userinfo 200 result=0 credentials=body user=${ann.userid} conn=1 params= \\d+ms$`)),
    ]);
    for (const secret of [ann.auth, bob.auth, 'no-such-token']) expect(lines.join('\n')).not.toContain(secret);
  });
});

describe('bindConnections: false', () => {
  beforeEach(() => start({ bindConnections: false }));

  it('lets every request on one socket act as its own credential', async () => {
    const socket = oneSocket();
    expect(await call(socket, 'userinfo', { auth: ann.auth })).toMatchObject({ userid: ann.userid });
    expect(rootNames(await call(socket, 'listfolder', { auth: bob.auth, folderid: '0' }))).toEqual(['bob-only.txt']);
    expect(await call(socket, 'userinfo')).toMatchObject({ result: 1000 });
    expect(fake.requests.map((r) => [r.connection, r.userid])).toEqual([[1, ann.userid], [1, bob.userid], [1, undefined]]);
  });
});

describe('the bindConnections option', () => {
  it('must be a boolean', async () => {
    await expect(startFakePCloud({ bindConnections: 'no' as unknown as boolean })).rejects.toThrow(new TypeError('bindConnections must be a boolean, got no'));
  });
});
