import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLoopback } from './listen-loopback.js';

/** One scripted answer. A plain object body is sent as JSON. */
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | object;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Destroy the connection instead of answering. */
  drop?: boolean;
  /** Never answer. */
  hang?: boolean;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Set when the client closed the connection before we answered. */
  closedEarly: boolean;
}

export interface ScriptedServer {
  url: string;
  requests: SeenRequest[];
  /** Answers in order; the last one repeats when the script runs out. */
  script(...answers: Answer[]): void;
  /** Resolves once `n` requests have arrived. */
  waitForRequests(n: number): Promise<void>;
  /** Resolves once the n-th request (1-based) was closed by the client before an answer. */
  waitForClose(n: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1:0 that answers from a script: what integration specs talk to. */
export async function startScriptedServer(): Promise<ScriptedServer> {
  let answers: Answer[] = [{ body: { result: 0, files: 1, totalfiles: 1, bytes: 1, totalbytes: 1 } }];
  let next = 0;
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters: (() => void)[] = [];
  const notify = (): void => {
    for (const w of waiters.splice(0)) w();
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, closedEarly: false };
    requests.push(seen);
    res.on('close', () => {
      if (!res.writableFinished) seen.closedEarly = true;
      notify();
    });
    notify();
    const answer = answers[Math.min(next, answers.length - 1)]!;
    next += 1;
    const respond = (): void => {
      if (answer.hang) return;
      if (answer.drop) {
        req.socket.destroy();
        return;
      }
      const payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
      res.end(payload);
    };
    if (answer.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, answer.delayMs);
      timers.add(timer);
    } else respond();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  const listening = await listenLoopback(server);

  /** Resolves once `done()` holds (checked on every request event); fails after 5 s naming `what`. */
  const until = (what: string, done: () => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const limit = setTimeout(() => {
        reject(new Error(`scripted server: still waiting for ${what} after 5 s (${requests.length} requests seen)`));
      }, 5000);
      const check = (): void => {
        if (!done()) {
          waiters.push(check);
          return;
        }
        clearTimeout(limit);
        resolve();
      };
      check();
    });

  return {
    url: listening.url,
    requests,
    script(...list) {
      answers = list;
      next = 0;
    },
    waitForRequests: (n) => until(`${n} requests`, () => requests.length >= n),
    waitForClose: (n) => until(`request ${n} to be closed before its answer`, () => requests[n - 1]?.closedEarly === true),
    close: () => {
      for (const t of timers) clearTimeout(t);
      return listening.close();
    },
  };
}

/** A savezipprogress success body. */
export const progressBody = (files: number, totalfiles: number, bytes: number, totalbytes: number): object => ({
  result: 0,
  files,
  totalfiles,
  bytes,
  totalbytes,
});
