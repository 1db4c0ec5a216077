/**
 * The emulator as a conformance target, two ways: started in this process (fixtures through
 * `startFakePCloud().addUser()`), or started as its own process (the `pcloud-fake-server` command)
 * and described by environment variables alone, exactly as a live account is.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakePCloud } from '../../lib/testing/server.js';
import type { ConformanceTarget } from './target.js';

/** A target and how to stop what serves it. */
export interface RunningTarget {
  readonly target: ConformanceTarget;
  stop(): Promise<void>;
}

/** Emulator zip speed: slow enough for a few progress polls mid-job, fast enough for a test. */
const BYTES_PER_SECOND = 40_000;
const SCRATCH = '/conformance';

/**
 * The emulator in this process: users A and B, A's scratch folder, and a second emulator standing
 * for "the other region" (where A's tokens do not exist).
 */
export async function inProcessEmulator(): Promise<RunningTarget> {
  const fake = await startFakePCloud({ bytesPerSecond: BYTES_PER_SECOND });
  const otherRegion = await startFakePCloud();
  const a = fake.addUser();
  const b = fake.addUser();
  a.mkdir(SCRATCH);
  return {
    target: {
      label: 'emulator (in process)',
      apiUrl: fake.url,
      account: { auth: a.auth, accessToken: a.accessToken },
      accountB: { auth: b.auth, accessToken: b.accessToken },
      scratchFolder: SCRATCH,
      otherRegionUrl: otherRegion.url,
      pollIntervalMs: 20,
    },
    stop: async () => {
      await Promise.all([fake.close(), otherRegion.close()]);
    },
  };
}

/** A `pcloud-fake-server` child process and what it printed. */
interface CliProcess {
  readonly url: string;
  /** `auth token: X` lines by label ('' for the first user, 'user 2 ' for the second...). */
  readonly tokens: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

/** npm scripts and jest run from the repository root, where lib/testing/cli.ts is. */
const ROOT = process.cwd();

/**
 * Starts `lib/testing/cli.ts` (the `pcloud-fake-server` bin's source) with `args` and waits for its
 * URL and every token line it should print.
 */
function startCli(args: readonly string[], expectedTokenLines: number): Promise<CliProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'lib/testing/cli.ts', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<void>((done) => {
      child.once('exit', () => {
        done();
      });
    });
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    };
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`pcloud-fake-server did not start in 30 s: ${err.trim()}`));
    }, 30_000);
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /^pCloud emulator listening on (\S+)$/m.exec(out)?.[1];
      const tokens = new Map([...out.matchAll(/^(user \d+ )?(auth|access) token: (\S+)$/gm)].map((m) => [`${m[1] ?? ''}${m[2]}`, m[3]!]));
      if (url !== undefined && tokens.size >= expectedTokenLines) {
        clearTimeout(timer);
        resolve({ url, tokens, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pcloud-fake-server exited (${code ?? 'signal'}) before it was ready: ${err.trim()}`));
    });
  });
}

/**
 * The emulator as its own process (two users, a seeded scratch folder) plus a second one for the
 * other region, and the environment that names them: what a live run is given, and nothing more.
 */
export async function emulatorProcesses(): Promise<{ env: NodeJS.ProcessEnv; stop(): Promise<void> }> {
  const seed = mkdtempSync(join(tmpdir(), 'conformance-seed-'));
  mkdirSync(join(seed, SCRATCH.slice(1)));
  const started = await Promise.allSettled([startCli(['--users', '2', '--seed', seed, '--bytes-per-second', String(BYTES_PER_SECOND)], 4), startCli([], 2)]);
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : Promise.resolve())));
    rmSync(seed, { recursive: true, force: true });
  };
  const [main, other] = started;
  if (main?.status !== 'fulfilled' || other?.status !== 'fulfilled') {
    await stop();
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    throw failed?.reason instanceof Error ? failed.reason : new Error('pcloud-fake-server did not start');
  }
  const { url, tokens } = main.value;
  return {
    env: {
      PCLOUD_CONFORMANCE_URL: url,
      PCLOUD_AUTH: tokens.get('auth'),
      PCLOUD_ACCESS_TOKEN: tokens.get('access'),
      PCLOUD_AUTH_B: tokens.get('user 2 auth'),
      PCLOUD_SCRATCH_FOLDER: SCRATCH,
      PCLOUD_OTHER_REGION_URL: other.value.url,
    },
    stop,
  };
}
