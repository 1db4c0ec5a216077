/**
 * The worker example's scripts as a user runs them (child processes, node + tsx): every failure
 * is one line naming what to fix, with a non-zero exit code, and never a stack trace.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as producer } from '../../examples/worker/producer.js';
import { configFromEnv, WorkerConfigError } from '../../examples/worker/worker.js';
import { freePort } from '../support/free-port.js';
import { expectOneLineFailure, runCli } from '../support/run-cli.js';

const PRODUCER = 'examples/worker/producer.ts';
const WORKER = 'examples/worker/worker.ts';
let nowhere: string;

beforeAll(async () => {
  // A port nothing listens on, with a password, which no output may show.
  nowhere = `redis://zipper:s3cret@127.0.0.1:${await freePort()}/0`;
});

describe('producer', () => {
  it('explains itself with --help, without connecting to Redis', async () => {
    const run = await runCli(PRODUCER, ['--help'], { REDIS_URL: nowhere });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: .*producer\.ts TREE DESTINATION/);
    expect(run.stdout).toContain('--tofolderid ID --toname NAME');
  }, 30_000);

  it('refuses a job saveZip$ would refuse, before connecting to Redis (exit 2)', async () => {
    const run = await runCli(PRODUCER, ['--folderid', '1'], { REDIS_URL: nowhere });
    expectOneLineFailure(run, 2, /^producer: saveZip\$ needs exactly one destination: topath, or tofolderid with toname \(--help shows the usage\)$/);
  }, 30_000);

  // The same main() in-process: the variety of refusals without a process start-up each.
  it.each([
    [['--fileids', '1,2', '--topath', 'a.zip'], /^producer: topath must be a full path such as \/backups\/photos\.zip /],
    [['--folderids', '1,x', '--topath', '/a.zip'], /^producer: folderids must hold ids .*: item 2 is "x" \(--help shows the usage\)$/],
    [['--folderid', '', '--topath', '/a.zip'], /^producer: folderid must be an id/],
    [['--tofolderid', '5', '--folderid', '1'], /^producer: tofolderid and toname go together/],
    [['--topath', '/a.zip'], /^producer: saveZip\$ needs a tree: folderid, folderids or fileids /],
    [['--folder', '1'], /^producer: Unknown option '--folder'/],
    [['--folderid'], /^producer: Option '--folderid <value>' argument missing/],
    [['zip', 'this'], /^producer: Unexpected argument 'zip'/],
    [['--account', '', '--folderid', '1', '--topath', '/a.zip'], /^producer: account must be a non-empty name \(--help shows the usage\)$/],
  ])('refuses %j with one line (exit 2)', async (argv, message) => {
    const lines: string[] = [];
    const code = await producer(argv, { REDIS_URL: nowhere }, { out: (line) => lines.push(line), err: (line) => lines.push(line) });
    expect({ code, lines }).toEqual({ code: 2, lines: [expect.stringMatching(message)] });
  });

  it('refuses a REDIS_URL that is not a redis:// URL, without echoing a password in it', async () => {
    const lines: string[] = [];
    const code = await producer(['--folderid', '1', '--topath', '/a.zip'], { REDIS_URL: 'http://zipper:s3cret@redis.example' }, { out: (line) => lines.push(line), err: (line) => lines.push(line) });
    expect({ code, lines }).toEqual({ code: 2, lines: ["producer: REDIS_URL must be a redis:// or rediss:// URL, got 'http://redis.example' (--help shows the usage)"] });
  });

  it('gives up on an unreachable Redis after a few attempts, naming it without its password (exit 1)', async () => {
    const run = await runCli(PRODUCER, ['--folderid', '1', '--topath', '/a.zip'], { REDIS_URL: nowhere });
    expectOneLineFailure(run, 1, /^producer: could not enqueue on Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(connect ECONNREFUSED [\d.:]+\): is redis-server running there\? Set REDIS_URL to your Redis$/);
    expect(run.stderr + run.stdout).not.toContain('s3cret');
  }, 30_000);
});

describe('worker', () => {
  it('refuses to start without a token (exit 2)', async () => {
    const run = await runCli(WORKER, [], { PCLOUD_AUTH: '', PCLOUD_ACCESS_TOKEN: '' });
    expectOneLineFailure(run, 2, /^worker: no pCloud token: set PCLOUD_AUTH \(or PCLOUD_ACCESS_TOKEN for OAuth\), or PCLOUD_ACCOUNTS_FILE, in the environment$/);
  }, 30_000);

  // What main() prints after 'worker: ', in-process.
  it.each([
    [{ PCLOUD_AUTH: 'token', WORKER_CONCURRENCY: 'two' }, "WORKER_CONCURRENCY must be a whole number > 0, got 'two'"],
    [{ PCLOUD_AUTH: 'token', WORKER_LOCK_DURATION: '1e3' }, "WORKER_LOCK_DURATION must be a whole number > 0, got '1e3'"],
    [{ PCLOUD_AUTH: 'token', REDIS_URL: '127.0.0.1:6379' }, "REDIS_URL must be a redis:// or rediss:// URL, got 'REDIS_URL (not a URL)'"],
    [{ PCLOUD_AUTH: 'token', WORKER_MAX_STALLED_COUNT: '0' }, "WORKER_MAX_STALLED_COUNT must be a whole number > 0, got '0'"],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => configFromEnv(env)).toThrow(new WorkerConfigError(message));
  });

  describe('PCLOUD_ACCOUNTS_FILE', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'zip-accounts-'));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const file = (name: string, text: string): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };

    it('maps account names to credentials; PCLOUD_AUTH stays the default account', () => {
      const path = file('good.json', JSON.stringify({ alice: { auth: 'a-token' }, bob: { accessToken: 'b-token' } }));
      const config = configFromEnv({ PCLOUD_ACCOUNTS_FILE: path });
      expect(config.credentials).toBeUndefined();
      expect([...(config.accounts ?? [])]).toEqual([['alice', { auth: 'a-token' }], ['bob', { accessToken: 'b-token' }]]);
      expect(configFromEnv({ PCLOUD_ACCOUNTS_FILE: path, PCLOUD_AUTH: 'default' }).credentials).toEqual({ auth: 'default' });
    });

    it.each([
      ['broken.json', '{ "alice": { "auth": "s3cret" ', 'not valid JSON'],
      ['list.json', '[{ "auth": "s3cret" }]', 'must hold a JSON object of account names'],
      ['both.json', '{ "alice": { "auth": "s3cret", "accessToken": "s3cret" } }', `account 'alice' in`],
      ['empty.json', '{ "alice": { "auth": "" } }', `account 'alice' in`],
    ])('refuses %s naming what is wrong, never the tokens in it', (name, text, message) => {
      const path = file(name, text);
      let error: unknown;
      try {
        configFromEnv({ PCLOUD_ACCOUNTS_FILE: path });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(WorkerConfigError);
      expect((error as Error).message).toMatch(/^PCLOUD_ACCOUNTS_FILE: /);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain('s3cret');
    });

    it('refuses a file that is not there', () => {
      expect(() => configFromEnv({ PCLOUD_ACCOUNTS_FILE: join(dir, 'missing.json') })).toThrow(/^PCLOUD_ACCOUNTS_FILE: cannot read the accounts file .*missing\.json: ENOENT$/);
    });
  });
});
