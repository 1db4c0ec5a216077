import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLoopback } from '../support/listen-loopback.js';

/** How the server answers one request of a method: `n` counts that method's requests from 1. */
export type Handler = (reply: Reply, n: number) => void;

/** What a handler can do with its request. */
export interface Reply {
  /** Answers HTTP 200 with `body` as JSON. */
  json(body: object): void;
  /** Answers an HTTP error status with an empty body (a proxy's refusal). */
  status(code: number): void;
  /** Destroys the connection without an answer (a dropped connection). */
  drop(): void;
  /** Runs `then` after `ms` (a real timer the server clears on close). */
  after(ms: number, then: () => void): void;
}

export interface SeenCall {
  readonly method: string;
  /** Set when the client closed the connection before an answer. */
  closedEarly: boolean;
}

export interface MethodServer {
  readonly url: string;
  readonly calls: SeenCall[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1:0 that answers each pCloud method with its own handler, so
 * savezip and savezipprogress can be scripted apart: a savezip that hangs or drops while
 * progress moves on. A method without a handler never answers.
 */
export async function startMethodServer(handlers: Readonly<Record<string, Handler>>): Promise<MethodServer> {
  const calls: SeenCall[] = [];
  const counts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = new URL(req.url ?? '/', 'http://x').pathname.split('/').at(-1) ?? '';
    const call: SeenCall = { method, closedEarly: false };
    calls.push(call);
    res.on('close', () => {
      if (!res.writableFinished) call.closedEarly = true;
    });
    const n = (counts.get(method) ?? 0) + 1;
    counts.set(method, n);
    const reply: Reply = {
      json: (body) => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      },
      status: (code) => {
        res.writeHead(code);
        res.end();
      },
      drop: () => {
        req.socket.destroy();
      },
      after: (ms, then) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          then();
        }, ms);
        timers.add(timer);
      },
    };
    handlers[method]?.(reply, n);
  };

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      handle(req, res);
    });
  });
  const listening = await listenLoopback(server);
  return {
    url: listening.url,
    calls,
    close: () => {
      for (const t of timers) clearTimeout(t);
      return listening.close();
    },
  };
}
