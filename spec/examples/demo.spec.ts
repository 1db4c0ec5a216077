import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Runs the demo as a user would (stdout is a pipe, so it prints plain lines). */
function runDemo(args: string[], { interruptAfterProgress = false } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['examples/demo/demo.ts', ...args], { cwd: root, env: { ...process.env, PCLOUD_AUTH: '' } });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (interruptAfterProgress && !interrupted && /progress .*files [1-9]/.test(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
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

  it('cancels cleanly on Ctrl-C', async () => {
    const { code, stdout } = await runDemo(['--seconds', '20', '--files', '60'], { interruptAfterProgress: true });
    expect(stdout).toContain('cancelled');
    expect(code).toBe(130);
  }, 60_000);

  it('explains itself with --help and rejects bad flags with exit code 2', async () => {
    const help = await runDemo(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--api-url');
    const bad = await runDemo(['--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nope/);
    const noTree = await runDemo(['--auth', 'x']);
    expect(noTree.code).toBe(2);
    expect(noTree.stderr).toContain('say what to zip');
  }, 60_000);
});
