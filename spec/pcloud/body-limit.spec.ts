/**
 * Bounded responses: a body is read as a stream and given up past `maxResponseBytes` counted
 * after decompression (default 1 MiB), with `ResponseDecodeError`, not retried; the connection is
 * closed and memory stays flat. Real servers on 127.0.0.1 that stream lazily (with backpressure),
 * so what the server produced shows how much the client read.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ResponseDecodeError, zipProgress$ } from '../../lib/index.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../../lib/pcloud/client.js';
import { collect } from '../support/collect.js';
import { listenLoopback } from '../support/listen-loopback.js';
import { thrownBy } from '../support/thrown.js';
import { waitFor } from '../support/wait.js';

const MiB = 1024 * 1024;
const FAST = { initialDelay: 1, maxDelay: 5, jitter: 'none' } as const;

interface Streamed {
  /** Bytes the server generated (before compression). */
  produced: number;
  /** Whether the response ended because the client closed the connection. */
  closedByClient: boolean;
  requests: number;
}

/** A server that streams `total` bytes of `fill` per request, gzipped or plain, produced lazily. */
async function streamingServer(total: number, gzip: boolean): Promise<{ url: string; stats: Streamed; close: () => Promise<void> }> {
  const stats: Streamed = { produced: 0, closedByClient: false, requests: 0 };
  const server: Server = createServer((req, res: ServerResponse) => {
    stats.requests += 1;
    req.resume();
    res.on('close', () => {
      if (!res.writableFinished) stats.closedByClient = true;
    });
    const chunk = Buffer.alloc(64 * 1024, gzip ? 0 : 0x78);
    const source = Readable.from(
      (function* generate() {
        for (let sent = 0; sent < total; sent += chunk.length) {
          stats.produced += chunk.length;
          yield chunk;
        }
      })(),
    );
    res.writeHead(200, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    const done = gzip ? pipeline(source, createGzip({ level: 9 }), res) : pipeline(source, res);
    done.catch(() => undefined); // the client closing the connection ends it
  });
  const { url, close } = await listenLoopback(server);
  return {
    url,
    stats,
    close,
  };
}

describe('bounded responses (maxResponseBytes)', () => {
  it('documents a 1 MiB default', () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(MiB);
  });

  it.each([
    ['a gzip bomb (1 GiB of zeros, about 1 MB on the wire)', 1024 * MiB, true],
    ['a huge plain body (400 MB)', 400 * MiB, false],
  ])('%s: ResponseDecodeError after about the limit, connection closed, not retried, memory flat', async (_name, total, gzip) => {
    const server = await streamingServer(total, gzip);
    try {
      const heapBefore = process.memoryUsage().heapUsed;
      const { error, values } = await collect(zipProgress$({ progresshash: 'h', apiUrl: server.url, auth: 'tok', maxRetries: 3, backoff: FAST }));
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      expect(values).toEqual([]);
      expect(error).toBeInstanceOf(ResponseDecodeError);
      expect(error).toMatchObject({ paths: ['(body)'], status: 200, method: 'savezipprogress' });
      expect((error as Error).message).toContain(`longer than the ${MiB}-byte limit (maxResponseBytes)`);
      expect((error as ResponseDecodeError).excerpt.length).toBeLessThanOrEqual(121);
      await waitFor('the server to see the connection close', () => server.stats.closedByClient);
      expect(server.stats.requests).toBe(1);
      // What the server produced is bounded by the limit plus the socket and zlib buffers, far
      // from the whole body.
      expect(server.stats.produced).toBeLessThan(64 * MiB);
      expect(heapGrowth).toBeLessThan(64 * MiB);
    } finally {
      await server.close();
    }
  }, 30_000);

  it('honours a smaller or larger maxResponseBytes', async () => {
    const server = await streamingServer(2 * MiB, false);
    try {
      const small = await collect(zipProgress$({ progresshash: 'h', apiUrl: server.url, auth: 'tok', maxResponseBytes: 1000, maxRetries: 0, backoff: FAST }));
      expect((small.error as Error).message).toContain('longer than the 1000-byte limit');
      expect((small.error as ResponseDecodeError).excerpt).toMatch(/^x{120}…$/);
      // 2 MiB read whole: it is then refused for what it is (not JSON), not for its size.
      const large = await collect(zipProgress$({ progresshash: 'h', apiUrl: server.url, auth: 'tok', maxResponseBytes: 4 * MiB, maxRetries: 0, backoff: FAST }));
      expect(large.error).toBeInstanceOf(ResponseDecodeError);
      expect((large.error as Error).message).toContain('(body): not JSON');
    } finally {
      await server.close();
    }
  });

  it.each([0, -1, 1.5, Number.NaN, '1024', null])('refuses maxResponseBytes %p with a TypeError', (value) => {
    const thrown = thrownBy(() => zipProgress$({ progresshash: 'h', auth: 'tok', maxResponseBytes: value as number }));
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(/^maxResponseBytes must be a whole number of bytes > 0 \(or Infinity\)/);
  });
});
