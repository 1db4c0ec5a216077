/** Helpers shared by the emulator specs: calling pCloud methods over real HTTP, reading zips. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';
import type { FakePCloud } from '../../lib/testing/index.js';

export type Json = Record<string, unknown>;

/**
 * Calls `method` with params in a form body (POST) or the query string (GET), through `send`
 * (default: the platform's pooled fetch). The emulator binds a connection to its first login, as
 * pCloud does: a spec that calls as a second user passes that user's own connection's fetch.
 */
export async function call(fake: FakePCloud, method: string, params: Record<string, string> = {}, via: 'body' | 'query' = 'body', headers: Record<string, string> = {}, send: (url: string, init?: RequestInit) => Promise<Response> = fetch): Promise<Json> {
  const res = via === 'body'
    ? await send(`${fake.url}/${method}`, { method: 'POST', body: new URLSearchParams(params), headers })
    : await send(`${fake.url}/${method}?${new URLSearchParams(params).toString()}`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return (await res.json()) as Json;
}

/** Entries of a zip: file name -> bytes (directories map to undefined). */
export function unzip(zip: Buffer): Promise<Map<string, Buffer | undefined>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (openError, zipfile) => {
      if (openError) {
        reject(openError);
        return;
      }
      const entries = new Map<string, Buffer | undefined>();
      zipfile.on('error', reject);
      zipfile.on('end', () => { resolve(entries); });
      zipfile.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) {
          entries.set(entry.fileName, undefined);
          zipfile.readEntry();
          return;
        }
        zipfile.openReadStream(entry, (streamError, stream) => {
          if (streamError) {
            reject(streamError);
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zipfile.readEntry();
          });
        });
      });
      zipfile.readEntry();
    });
  });
}

/** Only the files of an unzipped archive. */
export function filesOf(entries: Map<string, Buffer | undefined>): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const [name, data] of entries) if (data !== undefined) files.set(name, data);
  return files;
}

/** A real directory tree on disk, with binary content; removed by the returned cleanup. */
export function makeFixtureDir(): { dir: string; files: Map<string, Buffer>; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-pcloud-'));
  const files = new Map<string, Buffer>([
    ['readme.txt', Buffer.from('hello pcloud\n')],
    ['docs/report.pdf', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256))],
    ['docs/notes/todo.md', Buffer.from('- zip it\n')],
    ['photos/cat.jpg', Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x10, 0x80, 0x7f])],
  ]);
  for (const [path, data] of files) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  mkdirSync(join(dir, 'empty'));
  return { dir, files, cleanup: () => { rmSync(dir, { recursive: true, force: true }); } };
}
