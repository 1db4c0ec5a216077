/** examples/event-emitter/zip-emitter.ts against the emulator over real HTTP. */
import { once } from 'node:events';
import { startZip } from '../../examples/event-emitter/zip-emitter.js';
import { AbortError, PCloudApiError, type ZipProgress } from '../../lib/index.js';
import { startFakePCloud } from '../../lib/testing/index.js';
import type { FakePCloud, FakeUser } from '../../lib/testing/index.js';
import { requestsOf } from '../support/requests.js';
import { sleep } from '../support/wait.js';
import { filesOf, unzip } from '../testing/helpers.js';

// 5 files x 4 kB at 40 kB/s: a 0.5 s zip, polled every 50..100 ms.
const FILES = 5;
const BACKOFF = { initialDelay: 50, maxDelay: 100 };

let fake: FakePCloud;
let user: FakeUser;
let folderid: number;

beforeEach(async () => {
  fake = await startFakePCloud({ bytesPerSecond: 40_000 });
  user = fake.addUser();
  for (let i = 0; i < FILES; i++) user.writeFile(`/docs/d${i}.bin`, Buffer.alloc(4_000, i));
  folderid = user.mkdir('/docs').folderid;
});
afterEach(() => fake.close());

const options = (topath: string) => ({ apiUrl: fake.url, auth: user.auth, folderid, topath, backoff: BACKOFF });

it("emits 'progress' while zipping, then 'saved' with the zip's metadata", async () => {
  const zip = startZip(options('/docs.zip'));
  const seen: ZipProgress[] = [];
  zip.on('progress', (progress) => seen.push(progress));
  const [metadata] = (await once(zip, 'saved')) as [unknown];

  expect(metadata).toMatchObject({ path: '/docs.zip', isfolder: false });
  expect(seen.length).toBeGreaterThanOrEqual(2);
  expect(seen.map((p) => p.fraction)).toEqual([...seen.map((p) => p.fraction)].sort((a, b) => a - b));
  expect(seen.at(-1)).toMatchObject({ fraction: 1, files: FILES, totalfiles: FILES, done: true });
  expect([...filesOf(await unzip(user.readFile('/docs.zip')!)).keys()].sort()).toEqual(['d0.bin', 'd1.bin', 'd2.bin', 'd3.bin', 'd4.bin']);
});

it("cancel() emits an AbortError, and no request is sent afterwards", async () => {
  const zip = startZip(options('/cancelled.zip'));
  const saved = jest.fn();
  zip.on('saved', saved);
  await once(zip, 'progress');
  const failed = once(zip, 'error');
  zip.cancel('user request');
  const cancelledAt = Date.now();

  const [error] = (await failed) as [unknown];
  expect(error).toBeInstanceOf(AbortError);
  expect((error as AbortError).cause).toBe('user request');
  await sleep(3 * BACKOFF.maxDelay);
  expect(fake.requests.filter((r) => r.at > cancelledAt)).toEqual([]);
  expect(requestsOf(fake, 'savezip')[0]?.aborted).toBe(true);
  expect(saved).not.toHaveBeenCalled();
});

it("a pCloud refusal is an 'error' event (and rejects once(zip, 'saved'))", async () => {
  user.writeFile('/taken.zip', 'already here');
  const zip = startZip(options('/taken.zip'));
  await expect(once(zip, 'saved')).rejects.toMatchObject({ name: 'PCloudApiError', code: 2004 });
});

it('throws at once on invalid options, before any request', () => {
  expect(() => startZip({ apiUrl: fake.url, auth: user.auth, folderid, topath: 'relative.zip' })).toThrow(TypeError);
  expect(fake.requests).toEqual([]);
});

it("honours the caller's own signal too", async () => {
  const controller = new AbortController();
  controller.abort('gone');
  const zip = startZip({ ...options('/never.zip'), signal: controller.signal });
  // Listener attached after startZip returned, yet the synchronous failure is not lost.
  const [error] = (await once(zip, 'error')) as [unknown];
  expect(error).toBeInstanceOf(AbortError);
  expect(error).not.toBeInstanceOf(PCloudApiError);
  expect(fake.requests).toEqual([]);
});
