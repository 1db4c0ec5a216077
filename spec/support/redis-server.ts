import { spawn } from 'node:child_process';
import { freePort } from './free-port.js';
import { waitFor } from './wait.js';

/** A redis-server started for a spec: loopback only, nothing saved to disk. */
export interface RedisServer {
  readonly url: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  readonly stop: () => Promise<void>;
}

/**
 * Starts Debian's `redis-server` (or `$REDIS_SERVER`) on a free port of 127.0.0.1 and resolves
 * once it accepts connections. Not a skip when it is missing: a CI image without Redis must be
 * noticed, so this throws with the package to install and the server's own output.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const output: string[] = [];
  const server = spawn(process.env.REDIS_SERVER ?? 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  server.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => {
    server.once('exit', () => {
      resolve();
    });
    // A missing executable never exits: count its error as the end.
    server.once('error', (error) => {
      output.push(String(error));
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    const killer = setTimeout(() => server.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await waitFor("redis-server to start (install the Debian package 'redis-server' or set REDIS_SERVER)", () => {
      if (server.exitCode !== null || output.some((line) => line.includes('ENOENT'))) {
        throw new Error(`redis-server did not start (install the Debian package 'redis-server' or set REDIS_SERVER):\n${output.join('')}`);
      }
      return output.some((line) => line.includes('Ready to accept connections'));
    }, 5_000, 50);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}
