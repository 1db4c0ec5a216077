/**
 * `npm run demo:web` as a user runs it: a child process that prints the page's URL, serves the
 * page, its script and the emulator's settings, and stops on Ctrl-C. The page itself is driven in
 * Chromium by browser.spec.ts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseWebDemoConfig } from '../../examples/browser/config.js';
import { waitFor } from '../support/wait.js';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Demo {
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: () => { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

function runDemoWeb(args: string[]): Demo {
  const child = spawn(TSX, ['examples/browser/serve.ts', ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, output: () => ({ stdout, stderr }), exited };
}

it('prints the URL, serves the page with the emulator settings, and stops on Ctrl-C', async () => {
  const demo = runDemoWeb(['--port', '0', '--files', '20', '--seconds', '1']);
  try {
    await waitFor('the demo to print its URL', () => /web demo: open \S+/.test(demo.output().stdout) || demo.child.exitCode !== null, 30_000, 50);
    const { stdout } = demo.output();
    expect(stdout).toMatch(/^pCloud emulator at http:\/\/127\.0\.0\.1:\d+: \/demo holds 20 files \(\d+(\.\d)? MB\), zipped in about 1 s\n/);
    const url = /web demo: open (\S+)/.exec(stdout)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Zip a pCloud folder</h1>');
    const script = await fetch(new URL('main.js', url));
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const config = parseWebDemoConfig(await (await fetch(new URL('config.json', url))).json());
    expect(config.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain(`pCloud emulator at ${config.apiUrl}:`);
    expect(config).toMatchObject({ folderPath: '/demo', topath: '/demo.zip', files: 20 });
    // The token reaches the page in that body only: not in the printed URL nor anywhere in the output.
    expect(config.auth.length).toBeGreaterThan(8);
    expect(stdout).not.toContain(config.auth);
    // No CORS header: another site cannot read the token.
    expect((await fetch(new URL('config.json', url))).headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(new URL('nothing', url))).status).toBe(404);

    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect(demo.output().stdout).toMatch(/web demo stopped\n$/);
    await expect(fetch(url)).rejects.toThrow();
  } finally {
    demo.child.kill('SIGKILL');
  }
}, 60_000);

it('a port in use: one line naming it and how to pick another, exit 1', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as AddressInfo;
  try {
    const demo = runDemoWeb(['--port', String(port)]);
    expect(await demo.exited).toBe(1);
    expect(demo.output().stderr).toBe(`demo:web: port ${port} is in use: pass another one, e.g. npm run demo:web -- --port 0\n`);
  } finally {
    blocker.close();
  }
}, 60_000);

it('a bad option: the message and the usage, exit 2', async () => {
  const demo = runDemoWeb(['--seconds', 'soon']);
  expect(await demo.exited).toBe(2);
  expect(demo.output().stderr).toMatch(/^demo:web: --seconds must be a positive number, got 'soon'\n\nUsage: npm run demo:web/);
}, 60_000);
