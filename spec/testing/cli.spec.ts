import { createServer, type Server } from 'node:net';
import { CliUsageError, main, USAGE } from '../../lib/testing/cli.js';
import { expectOneLineFailure, runCli } from '../support/run-cli.js';
import { makeFixtureDir } from './helpers.js';

describe('pcloud-fake-server main()', () => {
  it('starts a server with a seeded user and prints its URL and tokens', async () => {
    const fixture = makeFixtureDir();
    const lines: string[] = [];
    const handle = await main(['--port', '0', '--seed', fixture.dir, '--bytes-per-second=5000'], { print: (line) => lines.push(line), handleSignals: false });
    try {
      expect(handle).toBeDefined();
      const { fake, user } = handle!;
      expect(lines).toEqual([`pCloud emulator listening on ${fake.url}`, `auth token: ${user.auth}`, `access token: ${user.accessToken}`, `seeded / from ${fixture.dir}`]);
      const res = await fetch(`${fake.url}/listfolder`, { method: 'POST', body: new URLSearchParams({ auth: user.auth, path: '/docs/notes' }) });
      expect(await res.json()).toMatchObject({ result: 0, metadata: { contents: [{ name: 'todo.md' }] } });
      expect(user.readFile('/readme.txt')).toEqual(fixture.files.get('readme.txt'));
    } finally {
      await handle?.stop();
      fixture.cleanup();
    }
    await handle!.stopped;
    expect(handle!.fake.openConnections()).toBe(0);
    expect(lines.at(-1)).toBe('pCloud emulator stopped');
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('stops on %s, and removes its signal handlers', async (signal) => {
    const before = process.listeners(signal);
    const otherSignal = signal === 'SIGINT' ? 'SIGTERM' : 'SIGINT';
    const otherBefore = process.listeners(otherSignal);
    const handle = await main(['--port', '0'], { print: () => undefined });
    const added = process.listeners(signal).filter((listener) => !before.includes(listener));
    expect(added).toHaveLength(1);
    // Call our handler directly: emitting a real signal would also reach jest's own handlers.
    added[0]!(signal);
    await handle!.stopped;
    await expect(fetch(`${handle!.fake.url}/currentserver`)).rejects.toThrow('fetch failed');
    expect(process.listeners(signal)).toEqual(before);
    expect(process.listeners(otherSignal)).toEqual(otherBefore);
  });

  it('--users N creates N users, each with its own tokens printed and its own drive', async () => {
    const fixture = makeFixtureDir();
    const lines: string[] = [];
    const handle = await main(['--port', '0', '--users', '2', '--seed', fixture.dir], { print: (line) => lines.push(line), handleSignals: false });
    try {
      const { fake, user, users } = handle!;
      expect(users).toHaveLength(2);
      const [first, second] = users;
      expect(first).toBe(user);
      expect(lines).toEqual([
        `pCloud emulator listening on ${fake.url}`,
        `auth token: ${user.auth}`,
        `access token: ${user.accessToken}`,
        `user 2 auth token: ${second!.auth}`,
        `user 2 access token: ${second!.accessToken}`,
        `seeded / from ${fixture.dir}`,
      ]);
      expect(second!.auth).not.toBe(user.auth);
      const res = await fetch(`${fake.url}/userinfo`, { method: 'POST', body: new URLSearchParams({ auth: second!.auth }) });
      expect(await res.json()).toMatchObject({ result: 0, userid: second!.userid, email: 'demo2@example.test' });
      // --seed fills the first user's drive only.
      expect(second!.readFile('/readme.txt')).toBeUndefined();
      expect(user.readFile('/readme.txt')).toBeDefined();
    } finally {
      await handle?.stop();
      fixture.cleanup();
    }
  });

  it('prints the usage on --help and starts nothing', async () => {
    const lines: string[] = [];
    expect(await main(['--help'], { print: (line) => lines.push(line) })).toBeUndefined();
    expect(lines).toEqual([USAGE]);
    expect(USAGE).toContain('--bytes-per-second');
  });

  it.each([[['--port', 'x']], [['--port', '70000']], [['--port', '80.5']], [['--port', ' ']], [['--bytes-per-second', '0']], [['--users', '0']], [['--users', 'two']], [['--bytes-per-second', 'Infinity']], [['--seed']], [['--nope']]])('rejects %j', async (argv) => {
    await expect(main(argv, { print: () => undefined, handleSignals: false })).rejects.toBeInstanceOf(CliUsageError);
  });

  it.each([
    ['/no/such/dir', '--seed /no/such/dir: no such directory'],
    [__filename, `--seed ${__filename}: not a directory`],
  ])('refuses --seed %s before starting anything', async (dir, message) => {
    const before = process.listeners('SIGINT').length;
    await expect(main(['--port', '0', '--seed', dir], { print: () => undefined })).rejects.toThrow(new CliUsageError(message));
    expect(process.listeners('SIGINT')).toHaveLength(before);
  });
});

describe('npm run fake-server (a child process) fails in one line', () => {
  let taken: Server;
  let takenPort: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    takenPort = (taken.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
  });

  // Concurrent: each child costs a node + tsx start-up (1-2 s).
  it.concurrent.each([
    ['a missing seed directory', () => ['--port', '0', '--seed', '/no/such/dir'], /^pcloud-fake-server: --seed \/no\/such\/dir: no such directory \(--help shows the usage\)$/],
    ['a seed that is a file', () => ['--port', '0', '--seed', 'package.json'], /^pcloud-fake-server: --seed package\.json: not a directory /],
    ['a port in use', () => ['--port', String(takenPort)], /^pcloud-fake-server: port \d+ is already in use: pick another with --port N, or --port 0 for a free one /],
    ['a bad port', () => ['--port', 'http'], /^pcloud-fake-server: --port must be an integer in 0\.\.65535, got 'http' /],
  ])('%s', async (_case, argv, message) => {
    const run = await runCli('lib/testing/cli.ts', argv());
    expectOneLineFailure(run, 2, message);
    expect(run.stdout).toBe('');
  }, 30_000);
});
