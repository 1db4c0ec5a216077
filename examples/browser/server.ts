/**
 * The web demo's server: a pCloud emulator with a seeded folder, and a static site on another
 * loopback port that serves the page, its script (bundled from main.ts with esbuild, in memory)
 * and `/config.json` (the emulator's URL, the demo token and the folder). The token travels only
 * in that same-origin response body, never in a URL; it belongs to a throwaway local account.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { startFakePCloud, type FakePCloud, type FakeUser } from '../../lib/testing/index.js';
import { planDemoTree, writeDemoTree } from '../demo/seed.js';
import type { WebDemoConfig } from './config.js';

/** Options of {@link startWebDemo}. */
export interface WebDemoOptions {
  /** The examples/browser directory (index.html, main.ts). */
  readonly dir: string;
  /** Port of the page's server on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Files to seed under /demo (default 300). */
  readonly files?: number;
  /** How long a zip of the whole folder takes on the emulator (default 20 s). */
  readonly seconds?: number;
}

/** A running web demo. */
export interface WebDemo {
  /** The page to open, e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  readonly config: WebDemoConfig;
  readonly fake: FakePCloud;
  readonly user: FakeUser;
  /** The modules esbuild bundled into the page's script (relative paths). */
  readonly bundledInputs: readonly string[];
  /** Stops the site and the emulator; idempotent. */
  close(): Promise<void>;
}

/** The page's script: fails on anything a browser cannot load (platform browser). */
async function bundle(dir: string): Promise<{ code: string; inputs: string[] }> {
  const built = await esbuild.build({
    entryPoints: [join(dir, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const [output] = built.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no output');
  return { code: output.text, inputs: Object.keys(built.metafile.inputs) };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Starts the emulator and the page's server; see {@link WebDemoOptions}. */
export async function startWebDemo(options: WebDemoOptions): Promise<WebDemo> {
  const files = planDemoTree(options.files ?? 300);
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  const [{ code, inputs }, html] = await Promise.all([bundle(options.dir), readFile(join(options.dir, 'index.html'), 'utf8')]);
  const fake = await startFakePCloud({ bytesPerSecond: bytes / (options.seconds ?? 20) });
  const user = fake.addUser();
  const config: WebDemoConfig = { apiUrl: fake.url, auth: user.auth, folderid: writeDemoTree(user, files), folderPath: '/demo', topath: '/demo.zip', files: files.length, bytes };
  const routes = new Map([
    ['/', { type: 'text/html; charset=utf-8', body: html }],
    ['/index.html', { type: 'text/html; charset=utf-8', body: html }],
    ['/main.js', { type: 'text/javascript; charset=utf-8', body: code }],
    ['/config.json', { type: 'application/json', body: JSON.stringify(config) }],
  ]);
  const site = createServer((req, res) => {
    const route = req.method === 'GET' ? routes.get(new URL(req.url ?? '/', 'http://localhost').pathname) : undefined;
    if (route === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    // No CORS header: only this page can read config.json (and its token).
    res.writeHead(200, { 'Content-Type': route.type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).end(route.body);
  });
  try {
    await listen(site, options.port ?? 0);
  } catch (error) {
    await fake.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(site.address() as AddressInfo).port}/`,
    config,
    fake,
    user,
    bundledInputs: inputs,
    close: () => {
      closing ??= (async () => {
        site.closeAllConnections();
        await new Promise<void>((resolve) => site.close(() => { resolve(); }));
        await fake.close();
      })();
      return closing;
    },
  };
}
