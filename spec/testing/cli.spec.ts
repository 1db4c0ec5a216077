import { CliUsageError, main, USAGE } from '../../lib/testing/cli.js';
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

  it('prints the usage on --help and starts nothing', async () => {
    const lines: string[] = [];
    expect(await main(['--help'], { print: (line) => lines.push(line) })).toBeUndefined();
    expect(lines).toEqual([USAGE]);
    expect(USAGE).toContain('--bytes-per-second');
  });

  it.each([[['--port', 'x']], [['--port', '70000']], [['--bytes-per-second', '0']], [['--seed']], [['--nope']]])('rejects %j', async (argv) => {
    await expect(main(argv, { print: () => undefined, handleSignals: false })).rejects.toBeInstanceOf(CliUsageError);
  });

  it('fails cleanly when the seed directory does not exist', async () => {
    const before = process.listeners('SIGINT').length;
    await expect(main(['--port', '0', '--seed', '/no/such/dir'], { print: () => undefined })).rejects.toThrow(/ENOENT/);
    expect(process.listeners('SIGINT')).toHaveLength(before);
  });
});
