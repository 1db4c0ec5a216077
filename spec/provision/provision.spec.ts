/**
 * spec/provision/provision.sh, the step `npm test` runs first (npm's pretest hook): it installs
 * Debian's chromium, firefox-esr, webkit2gtk-driver, xvfb and redis-server when they are missing,
 * or stops with one message saying what to install. Run as a child process with the checks pointed at paths that do not exist, so the
 * real packages on this machine are never touched: a fake apt-get stands in for the real one.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'provision.sh');
const BASH = '/bin/bash';
const NOBODY = 65534;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(env: NodeJS.ProcessEnv, uid?: number): Promise<Run> {
  // Another user may not reach the checkout (a clone inside a 0700 `mktemp -d` directory, as CI
  // does): that run gets a copy of the script in the test's own 0755 directory.
  let script = SCRIPT;
  if (uid !== undefined) {
    script = join(dir, 'provision.sh');
    copyFileSync(SCRIPT, script);
    chmodSync(script, 0o755);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(BASH, [script], { env, ...(uid === undefined ? {} : { uid, gid: uid }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'provision-'));
  // The unprivileged run must be able to read the script's directory chain and this one.
  chmodSync(dir, 0o755);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The browsers' programs a fake apt-get "installs" (each under the test's directory). */
interface FakePrograms {
  readonly bin: string;
  readonly log: string;
  readonly chromium: string;
  readonly firefox: string;
  readonly webkitDriver: string;
  readonly minibrowser: string;
  readonly xvfbRun: string;
}

/** A stand-in apt-get: logs its arguments and DEBIAN_FRONTEND, and "installs" every program. */
function fakeAptGet(): FakePrograms {
  const bin = join(dir, 'bin');
  const log = join(dir, 'apt.log');
  const programs = { chromium: join(dir, 'chromium'), firefox: join(dir, 'firefox-esr'), webkitDriver: join(dir, 'WebKitWebDriver'), minibrowser: join(dir, 'MiniBrowser'), xvfbRun: join(dir, 'xvfb-run') };
  mkdirSync(bin);
  const script = [
    '#!/bin/bash',
    `echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> '${log}'`,
    'if [ "${*: -1}" != update ]; then',
    ...[...Object.values(programs), `${bin}/fake-redis-server`].map((path) => `  printf '#!/bin/bash\\n' > '${path}'; chmod +x '${path}'`),
    'fi',
  ].join('\n');
  writeFileSync(join(bin, 'apt-get'), script, { mode: 0o755 });
  return { bin, log, ...programs };
}

/** This machine's programs, wherever the env says (the e2e and worker specs run on them). */
const { PATH, CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_DRIVER_PATH, WEBKIT_MINIBROWSER_PATH, XVFB_RUN_PATH, REDIS_SERVER } = process.env;
const MACHINE = { CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_DRIVER_PATH, WEBKIT_MINIBROWSER_PATH, XVFB_RUN_PATH, REDIS_SERVER };

it('does nothing when every program is there', async () => {
  const result = await run({ PATH, ...MACHINE });
  expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
});

it('installs what is missing with apt-get, non-interactively, then checks again', async () => {
  const apt = fakeAptGet();
  const result = await run({ PATH: `${apt.bin}:/usr/bin:/bin`, ...MACHINE, CHROMIUM_PATH: apt.chromium, REDIS_SERVER: 'fake-redis-server' });

  expect(result.stderr).toContain('installing the Debian package(s) chromium redis-server');
  expect(result.code).toBe(0);
  const calls = readFileSync(apt.log, 'utf8').trim().split('\n');
  expect(calls).toEqual([
    expect.stringMatching(/^DEBIAN_FRONTEND=noninteractive .*update$/),
    expect.stringMatching(/^DEBIAN_FRONTEND=noninteractive .*install -y --no-install-recommends chromium redis-server$/),
  ]);
});

it('installs the Firefox and WebKit packages when their programs are missing', async () => {
  const apt = fakeAptGet();
  const env = { PATH: `${apt.bin}:${PATH ?? ''}`, ...MACHINE, FIREFOX_PATH: apt.firefox, WEBKIT_DRIVER_PATH: apt.webkitDriver, WEBKIT_MINIBROWSER_PATH: apt.minibrowser, XVFB_RUN_PATH: apt.xvfbRun };
  const result = await run(env);

  expect(result.stderr).toContain('installing the Debian package(s) firefox-esr webkit2gtk-driver xvfb');
  expect(result.code).toBe(0);
  expect(readFileSync(apt.log, 'utf8')).toMatch(/install -y --no-install-recommends firefox-esr webkit2gtk-driver xvfb\n$/);
});

it('a missing MiniBrowser alone is webkit2gtk-driver to install', async () => {
  const apt = fakeAptGet();
  const result = await run({ PATH: `${apt.bin}:${PATH ?? ''}`, ...MACHINE, WEBKIT_MINIBROWSER_PATH: apt.minibrowser });

  expect(result.code).toBe(0);
  expect(readFileSync(apt.log, 'utf8')).toMatch(/install -y --no-install-recommends webkit2gtk-driver\n$/);
});

it('installs only the missing package', async () => {
  const apt = fakeAptGet();
  const result = await run({ PATH: `${apt.bin}:${PATH ?? ''}`, ...MACHINE, CHROMIUM_PATH: apt.chromium });

  expect(result.code).toBe(0);
  expect(readFileSync(apt.log, 'utf8')).toMatch(/install -y --no-install-recommends chromium\n$/);
});

it('stops with one message when apt-get did not provide the program looked for', async () => {
  const apt = fakeAptGet();
  const result = await run({ PATH: `${apt.bin}:/usr/bin:/bin`, ...MACHINE, CHROMIUM_PATH: join(dir, 'elsewhere', 'chrome') });

  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^npm test: missing chromium \(no executable at .*elsewhere\/chrome\); still missing after apt-get install/m);
});

it('without apt-get: exit 1 at once, one message naming every package and how to skip', async () => {
  // Only bash built-ins run before apt-get is looked up, so an empty PATH means "no apt-get".
  const missing = (name: string): string => join(dir, `no-${name}`);
  const env = { PATH: join(dir, 'empty'), CHROMIUM_PATH: missing('chromium'), FIREFOX_PATH: missing('firefox'), WEBKIT_DRIVER_PATH: missing('driver'), WEBKIT_MINIBROWSER_PATH: missing('minibrowser'), XVFB_RUN_PATH: missing('xvfb-run'), REDIS_SERVER: 'no-redis-server' };
  const result = await run(env);

  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toBe(
    `npm test: missing chromium (no executable at ${missing('chromium')}), firefox-esr (no executable at ${missing('firefox')}), webkit2gtk-driver (no executable at ${missing('driver')}), xvfb (no executable at ${missing('xvfb-run')}), redis-server ('no-redis-server' is not on PATH); cannot install them here: no apt-get (not Debian or Ubuntu).`,
  );
  expect(lines[1]).toBe(
    '  Install as root: apt-get install chromium firefox-esr webkit2gtk-driver xvfb redis-server. Or set CHROMIUM_PATH to an existing Chromium or Chrome, FIREFOX_PATH to an existing Firefox, WEBKIT_DRIVER_PATH and WEBKIT_MINIBROWSER_PATH to an existing WebKitWebDriver and MiniBrowser, XVFB_RUN_PATH to an existing xvfb-run and REDIS_SERVER to a redis-server binary.',
  );
});

it('without apt-get, two missing packages: "A and B"', async () => {
  const result = await run({ PATH: join(dir, 'empty'), ...MACHINE, CHROMIUM_PATH: join(dir, 'no-chromium'), REDIS_SERVER: 'no-redis-server' });

  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')[1]).toBe('  Install as root: apt-get install chromium redis-server. Or set CHROMIUM_PATH to an existing Chromium or Chrome and REDIS_SERVER to a redis-server binary.');
});

it('not root: exit 1 before calling apt-get, naming only the missing package', async () => {
  const apt = fakeAptGet();
  const env = { PATH: `${apt.bin}:/usr/bin:/bin`, ...MACHINE, CHROMIUM_PATH: join(dir, 'no-chromium') };
  // As root (CI, this machine), run the script as nobody; otherwise the test already is not root.
  const result = await run(env, process.getuid?.() === 0 ? NOBODY : undefined);

  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^npm test: missing chromium \(no executable at .*no-chromium\); cannot install them here: not root \(uid \d+\)\.\n {2}Install as root: apt-get install chromium\. Or set CHROMIUM_PATH to an existing Chromium or Chrome\.\n$/);
  expect(existsSync(apt.log)).toBe(false);
});
