/**
 * Serves the built Angular app on 127.0.0.1 next to a seeded pCloud emulator. The page asks
 * `GET /api/session` for the emulator's address and a token, so neither is in the bundle or
 * the URL. The emulator is on another port: every pCloud call is cross-origin, as on pcloud.com.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { startFakePCloud, type FakePCloud, type FakeUser } from '../../../lib/testing/index.js';
import { planDemoTree, writeDemoTree } from '../../demo/seed.js';

export interface AngularDemoOptions {
  /** The built app (`buildAngularApp()`'s result). */
  readonly appDir: string;
  /** Files seeded in /demo (default 300). */
  readonly files?: number;
  /** About how long zipping /demo takes (default 20 s): sets the emulator's speed. */
  readonly seconds?: number;
  /** The page's port (default 0: any free port). */
  readonly port?: number;
}

export interface AngularDemo {
  /** The page, e.g. http://127.0.0.1:4200/ */
  readonly url: string;
  readonly fake: FakePCloud;
  readonly user: FakeUser;
  /** The seeded folder /demo. */
  readonly folderid: number;
  /** Closes the page's server and the emulator. */
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) }).end(body);
}

/** A file of the app for a URL path; index.html for the app's own routes; undefined outside it. */
async function fileFor(appDir: string, pathname: string): Promise<string | undefined> {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  const path = join(appDir, relative);
  if (path !== appDir && !path.startsWith(appDir + sep)) return undefined;
  const found = await stat(path).catch(() => undefined);
  if (found?.isFile() === true) return path;
  // A path without an extension is a client-side route: the app handles it.
  return extname(relative) === '' ? join(appDir, 'index.html') : undefined;
}

/** Starts the emulator (with /demo seeded and /zips) and the page's server. */
export async function startAngularDemo({ appDir, files = 300, seconds = 20, port = 0 }: AngularDemoOptions): Promise<AngularDemo> {
  const plan = planDemoTree(files);
  const bytes = plan.reduce((sum, file) => sum + file.size, 0);
  const fake = await startFakePCloud({ bytesPerSecond: bytes / seconds });
  const user = fake.addUser();
  const folderid = writeDemoTree(user, plan);
  user.mkdir('/zips');
  const session = JSON.stringify({ apiUrl: fake.url, auth: user.auth, folder: { folderid, path: '/demo', files, bytes }, zipFolder: '/zips' });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
      return;
    }
    if (pathname === '/api/session') {
      send(res, 200, 'application/json; charset=utf-8', session);
      return;
    }
    const file = await fileFor(appDir, pathname);
    if (file === undefined) {
      send(res, 404, 'text/plain; charset=utf-8', 'not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error');
      else res.destroy(error instanceof Error ? error : undefined);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
  } catch (error) {
    await fake.close();
    throw error;
  }
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    fake,
    user,
    folderid,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      await fake.close();
    },
  };
}
