/** Runs a command-line script of this repository as a user would: node with tsx, like the npm scripts. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** How a command ended and what it printed. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `script` (relative to the repository root) with `args` and `env` (added to this process'
 * environment), waits for it to exit, and kills it if it has not after `timeoutMs` (the result
 * then has `signal: 'SIGKILL'`, which fails any exit-code assertion with the output to read).
 */
export function runCli(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The non-empty lines of a command's stderr. */
export function stderrLines(run: CliRun): string[] {
  return run.stderr.split('\n').filter((line) => line.trim() !== '');
}

/**
 * Asserts that the command failed the way a user can act on: exit code `code`, exactly one
 * line on stderr matching `message`, no stack trace.
 */
export function expectOneLineFailure(run: CliRun, code: number, message: RegExp): void {
  expect({ code: run.code, stderr: stderrLines(run) }).toEqual({ code, stderr: [expect.stringMatching(message)] });
  expect(run.stderr).not.toMatch(/^\s+at /m);
}
