import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { listenLoopback } from './listen-loopback.js';

/** One request as a connection-numbering server saw it. */
export interface BoundRequest {
  readonly method: string;
  /** 1-based number of the TCP connection that carried it. */
  readonly connection: number;
  /** The credential the request carried ('' for none): test tokens only, never real ones. */
  readonly sent: string;
  /** The credential it acted as: the connection's first one, as pCloud's api.txt says. */
  readonly actedAs: string;
}

export interface BindingServer {
  readonly url: string;
  readonly requests: BoundRequest[];
  close(): Promise<void>;
}

/**
 * A small pCloud-like server that numbers its connections and binds each one to the first
 * credential it carries ("All requests after that will ignore any user credentials passed",
 * api.txt). `savezipprogress` answers a job only to its owner (`jobs`: hash -> credential) and
 * 1901 to anyone else, moving one file per poll; every other method answers `{result: 0}`.
 */
export async function startBindingServer(jobs: Readonly<Record<string, string>>, totalfiles = 3): Promise<BindingServer> {
  const numbers = new WeakMap<Socket, number>();
  const bound = new WeakMap<Socket, string>();
  const polls = new Map<string, number>();
  const requests: BoundRequest[] = [];
  let connections = 0;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const { socket } = req;
      const params = new URLSearchParams(body);
      const sent = params.get('auth') ?? req.headers.authorization?.replace(/^Bearer /, '') ?? '';
      if (!bound.has(socket) && sent !== '') bound.set(socket, sent);
      const actedAs = bound.get(socket) ?? sent;
      const method = (req.url ?? '/').slice(1);
      requests.push({ method, connection: numbers.get(socket) ?? 0, sent, actedAs });
      let answer: object = { result: 0 };
      if (method === 'savezipprogress') {
        const hash = params.get('progresshash') ?? '';
        if (jobs[hash] !== actedAs) {
          answer = { result: 1901, error: 'Zip not found.' };
        } else {
          const files = Math.min(totalfiles, (polls.get(hash) ?? 0) + 1);
          polls.set(hash, files);
          answer = { result: 0, files, totalfiles, bytes: files * 10, totalbytes: totalfiles * 10 };
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  server.on('connection', (socket: Socket) => numbers.set(socket, ++connections));
  const listening = await listenLoopback(server);
  return { url: listening.url, requests, close: listening.close };
}

/** The connections that carried more than one credential (each listed once). */
export function sharedConnections(requests: readonly BoundRequest[]): number[] {
  const seen = new Map<number, Set<string>>();
  for (const { connection, sent } of requests) {
    if (sent === '') continue;
    seen.set(connection, (seen.get(connection) ?? new Set()).add(sent));
  }
  return [...seen].filter(([, tokens]) => tokens.size > 1).map(([connection]) => connection);
}
