import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenLoopback } from './listen-loopback.js';

/** One request as the socket-numbering server saw it. */
export interface NumberedRequest {
  /** 1 for the server's first connection, 2 for the next one, and so on. */
  readonly socket: number;
  readonly method: string;
  readonly path: string;
  /** The `auth` form field or query parameter, if any (test tokens only). */
  readonly auth: string | undefined;
}

/** A server on 127.0.0.1:0 that numbers its connections and says which one carried each request. */
export interface SocketNumberingServer {
  readonly url: string;
  readonly requests: readonly NumberedRequest[];
  /** Connections accepted so far. */
  connections(): number;
  /** Ends every connection that has no request in flight, as a client's idle timeout would. */
  closeIdle(): void;
  close(): Promise<void>;
}

/** Options of {@link startSocketNumberingServer}. */
export interface SocketNumberingOptions {
  /**
   * How long the server keeps an idle keep-alive connection (ms). Node's default (5 s) would close
   * connections before the browser decides anything: high by default, so the client's pool is
   * what gets measured.
   */
  readonly keepAliveTimeout?: number;
  /**
   * Answers a request instead of the default `{socket, auth}` body (e.g. a proxy to an emulator).
   * The socket number is already recorded.
   */
  readonly handle?: (req: IncomingMessage, res: ServerResponse, body: string) => void;
}

function authOf(req: IncomingMessage, body: string): string | undefined {
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get('auth');
  return new URLSearchParams(body).get('auth') ?? query ?? undefined;
}

/**
 * Numbers each accepted connection; answers every request with `{"socket":n,"auth":...}` and CORS
 * headers that also allow `credentials: 'include'` (the page's origin is echoed).
 */
export async function startSocketNumberingServer(options: SocketNumberingOptions = {}): Promise<SocketNumberingServer> {
  const numbers = new WeakMap<Socket, number>();
  const requests: NumberedRequest[] = [];
  let accepted = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const socket = numbers.get(req.socket) ?? 0;
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      requests.push({ socket, method: req.method ?? '', path, auth: authOf(req, body) });
      if (options.handle !== undefined) {
        options.handle(req, res, body);
        return;
      }
      const origin = req.headers.origin;
      res.writeHead(req.method === 'OPTIONS' ? 204 : 200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        'Access-Control-Allow-Origin': origin ?? '*',
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type',
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        Vary: 'Origin',
      });
      res.end(req.method === 'OPTIONS' ? undefined : JSON.stringify({ socket, auth: authOf(req, body) ?? null }));
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeout ?? 600_000;
  // Node ends an idle connection after headersTimeout/requestTimeout too: keep them above it.
  server.headersTimeout = server.keepAliveTimeout + 1_000;
  server.requestTimeout = 0;
  server.on('connection', (socket: Socket) => {
    accepted += 1;
    numbers.set(socket, accepted);
  });
  const listening = await listenLoopback(server);
  return {
    url: listening.url,
    requests,
    connections: () => accepted,
    closeIdle: () => {
      server.closeIdleConnections();
    },
    close: listening.close,
  };
}

/** Headers of one hop, not to be passed on (a forwarded `Connection: close` would end the client's connection). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function endToEnd(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/**
 * A {@link SocketNumberingOptions.handle} that passes each request on to `target` (an emulator)
 * over a fresh connection, and its answer back. A request the target drops without an answer is
 * dropped here too.
 */
export function forwardTo(target: string): NonNullable<SocketNumberingOptions['handle']> {
  const { hostname, port } = new URL(target);
  return (req, res, body) => {
    const upstream = request({ hostname, port, method: req.method, path: req.url, headers: { ...endToEnd(req.headers), host: `${hostname}:${port}` }, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
    });
    upstream.on('error', () => req.socket.destroy());
    // An aborted request (a cancelled zip) is aborted upstream too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  };
}
