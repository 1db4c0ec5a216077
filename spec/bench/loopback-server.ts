import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A minimal savezipprogress server for the benchmarks, run in a child process so that its CPU
 * and its event loop are not the measured process's (`process.cpuUsage()` counts every thread of
 * a process, worker threads included, so a worker would not do).
 *
 * It answers by the `progresshash` of the POST body:
 * - `done-after-N-<id>`: N-1 identical in-progress answers, then a done answer (its counter is
 *   then forgotten, so memory stays bounded);
 * - anything else: an in-progress answer whose `files` moves once every 10 s (a slow job).
 *
 * It accepts any `auth` (the scale bench sends `AUTH-<n>`, one per account) and remembers the
 * first one each connection carried, to count connections that carried two accounts. On its
 * stdin, a `stats` line gets one JSON line back on its stdout (see {@link LoopbackStats}).
 *
 * The source is plain CommonJS given to `node -e`, so it starts the same under jest, tsx or node.
 */
const SERVER_SOURCE = String.raw`
const http = require('node:http');
const started = Date.now();
const counts = new Map();
// The first auth each open connection carried; a connection that later carries another is mixed.
const firstAuth = new Map();
let mixedConnections = 0;
let requests = 0;
const body = (files, totalfiles) => JSON.stringify({ result: 0, files, totalfiles, bytes: files * 1000, totalbytes: totalfiles * 1000 });
const server = http.createServer((req, res) => {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { text += chunk; });
  req.on('end', () => {
    requests += 1;
    const form = new URLSearchParams(text);
    const auth = form.get('auth') || '';
    const first = firstAuth.get(req.socket);
    if (first === undefined) firstAuth.set(req.socket, auth);
    else if (first !== auth && first !== null) { mixedConnections += 1; firstAuth.set(req.socket, null); }
    const hash = form.get('progresshash') || '';
    const match = /^done-after-(\d+)-/.exec(hash);
    let payload;
    if (match) {
      const seen = (counts.get(hash) || 0) + 1;
      const done = seen >= Number(match[1]);
      if (done) counts.delete(hash); else counts.set(hash, seen);
      payload = done ? body(2, 2) : body(1, 2);
    } else {
      payload = body(Math.min(999, Math.floor((Date.now() - started) / 10000)), 1000);
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  });
});
// Polls 5 s apart share pooled connections; keep them longer than undici's 4 s client default.
server.keepAliveTimeout = 60000;
let open = 0;
server.on('connection', (socket) => {
  open += 1;
  socket.once('close', () => { open -= 1; firstAuth.delete(socket); });
});
server.listen(0, '127.0.0.1', () => { process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'); });
// The parent holds our stdin: when it goes away (even killed), so do we. Each 'stats' line on it
// is answered with one line.
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    if (line === 'stats') process.stdout.write(JSON.stringify({ openConnections: open, mixedConnections, requests }) + '\n');
  }
});
process.stdin.on('end', () => process.exit(0));
`;

/** The auth token the benchmarks send (the server does not check it). */
export const AUTH = 'bench-token';

/** A progresshash the server answers as done on request `polls` (see above); `id` keeps jobs apart. */
export const doneAfter = (polls: number, id: string): string => `done-after-${polls}-${id}`;

/** What the server has seen, counted on its side. */
export interface LoopbackStats {
  /** TCP connections open now. */
  readonly openConnections: number;
  /** Connections that carried requests of two different `auth` values (must stay 0). */
  readonly mixedConnections: number;
  /** Requests answered since it started. */
  readonly requests: number;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`: the apiUrl to poll. */
  readonly url: string;
  /** The child's pid: its CPU is not the measured process's. */
  readonly pid: number;
  /** Asks the server for its counters (over its stdin and stdout); rejects if it does not answer within 10 s. */
  stats(): Promise<LoopbackStats>;
  close(): Promise<void>;
}

/** Starts the server in a child process on 127.0.0.1:0; rejects if it is not listening within 10 s. */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const child = spawn(process.execPath, ['-e', SERVER_SOURCE], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  // Its first line is the port; every later one answers the oldest 'stats' request.
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('loopback server did not start within 10 s')); }, 10_000);
    lines.on('line', (line) => {
      const next = waiting.shift();
      if (next !== undefined) {
        next(line);
        return;
      }
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('error', (error) => { clearTimeout(timer); reject(error); });
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    stats: () =>
      new Promise<LoopbackStats>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error('loopback server did not answer stats within 10 s')); }, 10_000);
        waiting.push((line) => {
          clearTimeout(timer);
          resolve(JSON.parse(line) as LoopbackStats);
        });
        child.stdin.write('stats\n');
      }),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      // Bounded: a child that ignores the end of its stdin is killed after 2 s.
      const killer = setTimeout(() => { child.kill('SIGKILL'); }, 2_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
