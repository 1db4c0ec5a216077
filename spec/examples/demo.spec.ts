import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseDemoArgs } from '../../examples/demo/args.js';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/**
 * Runs the demo as a user would (stdout is a pipe, so it prints plain lines). Sends SIGINT once
 * `interruptOn` matches what it printed so far (stdout and stderr).
 */
function runDemo(args: string[], { interruptOn }: { interruptOn?: RegExp } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['examples/demo/demo.ts', ...args], { cwd: root, env: { ...process.env, PCLOUD_AUTH: '' } });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const interruptIfDue = (): void => {
      if (interruptOn !== undefined && !interrupted && interruptOn.test(stdout + stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      interruptIfDue();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      interruptIfDue();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run demo', () => {
  it('zips the seeded tree on the emulator, prints progress lines, and checks the zip', async () => {
    const { code, stdout } = await runDemo(['--seconds', '1.5', '--files', '120']);
    expect(code).toBe(0);
    const progress = stdout.split('\n').filter((line) => line.startsWith('progress '));
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toMatch(/^progress 100\.0% files 120\/120 /);
    expect(stdout).toMatch(/saved \/demo\.zip \(.+, fileid \d+\)/);
    expect(stdout).toContain('zip check ok: 120 entries');
  }, 60_000);

  it('with --flaky, says why it waits on each failure the emulator makes on purpose, recovers, and checks the zip', async () => {
    const { code, stdout, stderr } = await runDemo(['--flaky', '--seconds', '3', '--files', '60']);
    expect(code).toBe(0);
    const port = /^emulator at http:\/\/127\.0\.0\.1:(\d+):/.exec(stdout)?.[1];
    expect(port).toBeDefined();
    const lines = stdout.split('\n');
    // The first fault, a 503 with Retry-After: 3, after the first progress event.
    const retry = lines.findIndex((line) => new RegExp(`^retrying in [1-9]\\d* s: HTTP 503 from 127\\.0\\.0\\.1:${port} \\(attempt 1 of 5\\)$`).test(line));
    expect(retry).toBeGreaterThan(0);
    expect(lines.slice(0, retry).some((line) => line.startsWith('progress '))).toBe(true);
    // Progress comes back after the wait, and every later retry is a first attempt again.
    expect(lines.slice(retry + 1).some((line) => line.startsWith('progress '))).toBe(true);
    for (const line of lines.filter((l) => l.startsWith('retrying'))) expect(line).toMatch(/^retrying in \d+ s: (HTTP 503|connection lost|pCloud error 5000 \(server error\)) from 127\.0\.0\.1:\d+ \(attempt 1 of 5\)$/);
    expect(stdout).toMatch(/\nsaved \/demo\.zip \(.+, fileid \d+\)\n/);
    expect(stdout).toContain('zip check ok: 60 entries');
    // The emulator's tokens are 43 base64url characters: none reaches the output.
    expect(stdout + stderr).not.toMatch(/[A-Za-z0-9_-]{43}/);
  }, 60_000);

  it('cancels cleanly on Ctrl-C', async () => {
    const { code, stdout } = await runDemo(['--seconds', '20', '--files', '60'], { interruptOn: /progress .*files [1-9]/ });
    expect(stdout).toContain('cancelled');
    expect(code).toBe(130);
  }, 60_000);

  it('explains itself with --help and rejects bad flags with exit code 2', async () => {
    const help = await runDemo(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--api-url');
    const bad = await runDemo(['--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^demo: Unknown option '--nope'[^\n]* \(npm run demo -- --help lists the options\)\n$/);
    const noTree = await runDemo(['--auth', 'x']);
    expect(noTree.code).toBe(2);
    expect(noTree.stderr).toBe('demo: with --auth, say what to zip: --folderid, --folderids or --fileids (npm run demo -- --help lists the options)\n');
  }, 60_000);

  it('warns on stderr, before zipping, that --api-url without a token runs on the emulator', async () => {
    const warning = 'warning: --api-url ignored: no token (--auth or PCLOUD_AUTH), so this runs on the local emulator';
    // Interrupted once warned: the zip itself is the first test's business.
    const { code, stdout, stderr } = await runDemo(['--api-url', 'https://eapi.pcloud.com', '--seconds', '20', '--files', '20'], { interruptOn: /emulator at / });
    expect(stderr.split('\n')[0]).toBe(warning);
    expect(stdout).toMatch(/^emulator at http:\/\/127\.0\.0\.1:\d+: zipping 20 files/);
    expect(code).toBe(130);
  }, 60_000);
});

describe('parseDemoArgs', () => {
  it('names every account option it ignores without a token, and every emulator option it ignores with one', () => {
    expect(parseDemoArgs(['--api-url', 'https://eapi.pcloud.com', '--topath', '/x.zip'], {})).toEqual({
      kind: 'local', seconds: 10, files: 300, flaky: false,
      warnings: ['warning: --api-url, --topath ignored: no token (--auth or PCLOUD_AUTH), so this runs on the local emulator'],
    });
    expect(parseDemoArgs(['--folderid', '0', '--topath', '/x.zip', '--seconds', '3'], { PCLOUD_AUTH: 'token' })).toMatchObject({
      kind: 'account', auth: 'token', apiUrl: 'https://api.pcloud.com', folderid: 0,
      warnings: ['warning: --seconds ignored: options of the local emulator run, not of an account'],
    });
    expect(parseDemoArgs([], {})).toEqual({ kind: 'local', seconds: 10, files: 300, flaky: false, warnings: [] });
    expect(parseDemoArgs(['--auth', 'token', '--folderid', '1', '--topath', '/x.zip'], {})).toMatchObject({ kind: 'account', warnings: [] });
  });

  it('reads --flaky for the emulator, and ignores it with a warning against an account', () => {
    expect(parseDemoArgs(['--flaky', '--seconds', '3'], {})).toEqual({ kind: 'local', seconds: 3, files: 300, flaky: true, warnings: [] });
    expect(parseDemoArgs(['--folderid', '1', '--flaky'], { PCLOUD_AUTH: 'token' })).toMatchObject({
      kind: 'account',
      warnings: ['warning: --flaky ignored: options of the local emulator run, not of an account'],
    });
    expect(parseDemoArgs(['--folderid', '1', '--flaky'], { PCLOUD_AUTH: 'token' })).not.toHaveProperty('flaky');
    expect(() => parseDemoArgs(['--flaky=yes'], {})).toThrow(/--flaky/);
  });
});
