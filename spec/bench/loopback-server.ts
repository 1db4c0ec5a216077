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
 * The source is plain CommonJS given to `node -e`, so it starts the same under jest, tsx or node.
 */
const SERVER_SOURCE = String.raw`
const http = require('node:http');
const started = Date.now();
const counts = new Map();
const body = (files, totalfiles) => JSON.stringify({ result: 0, files, totalfiles, bytes: files * 1000, totalbytes: totalfiles * 1000 });
const server = http.createServer((req, res) => {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { text += chunk; });
  req.on('end', () => {
    const hash = new URLSearchParams(text).get('progresshash') || '';
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
server.listen(0, '127.0.0.1', () => { process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'); });
// The parent holds our stdin: when it goes away (even killed), so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** The auth token the benchmarks send (the server does not check it). */
export const AUTH = 'bench-token';

/** A progresshash the server answers as done on request `polls` (see above); `id` keeps jobs apart. */
export const doneAfter = (polls: number, id: string): string => `done-after-${polls}-${id}`;

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`: the apiUrl to poll. */
  readonly url: string;
  /** The child's pid: its CPU is not the measured process's. */
  readonly pid: number;
  close(): Promise<void>;
}

/** Starts the server in a child process on 127.0.0.1:0; rejects if it is not listening within 10 s. */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const child = spawn(process.execPath, ['-e', SERVER_SOURCE], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('loopback server did not start within 10 s')); }, 10_000);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
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
