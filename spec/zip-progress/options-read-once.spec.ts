import { lastValueFrom, toArray } from 'rxjs';
import { saveZip$, type SaveZipOptions, zipProgress$, type ZipProgressOptions } from '../../lib/index.js';
import { type FakePCloud, startFakePCloud } from '../../lib/testing/index.js';
import { collect } from '../support/collect.js';
import { requestsOf } from '../support/requests.js';

/** Every key of both factories' options, so a getter for each can count its reads. */
const CONNECTION = ['auth', 'accessToken', 'apiUrl', 'fetch', 'signal'] as const;
const POLLING = ['backoff', 'requestTimeout', 'timeout', 'stallTimeout', 'maxRetries', 'notFoundGrace', 'scheduler'] as const;
const SAVE = ['folderid', 'folderids', 'fileids', 'excludefolderids', 'excludefileids', 'topath', 'tofolderid', 'toname', 'timeoffset', 'pinServer'] as const;

/**
 * Options whose every key is a getter: the first read answers `first[key]`, later reads
 * `later[key]` (a different value), and `reads` counts the reads of each key.
 */
function shifty<T extends object>(keys: readonly string[], first: T, later: Partial<T>): { options: T; reads: Record<string, number> } {
  const reads: Record<string, number> = {};
  const options = {} as T;
  for (const key of keys) {
    reads[key] = 0;
    Object.defineProperty(options, key, {
      enumerable: true,
      get: () => {
        reads[key] = (reads[key] ?? 0) + 1;
        const source: Partial<Record<string, unknown>> = reads[key] === 1 ? first : { ...first, ...later };
        return source[key];
      },
    });
  }
  return { options, reads };
}

/** Each option is read once: a getter cannot hand validation one value and the request another. */
describe('options are read exactly once', () => {
  let fake: FakePCloud;
  beforeEach(async () => {
    fake = await startFakePCloud({ bytesPerSecond: Infinity });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('zipProgress$ validates and sends the same values', async () => {
    const user = fake.addUser();
    const { options, reads } = shifty<ZipProgressOptions>(
      ['progresshash', ...CONNECTION, ...POLLING],
      { progresshash: 'first-hash', auth: user.auth, apiUrl: fake.url, notFoundGrace: 0 },
      { progresshash: 'a\u0000b', auth: 'leaked-token', apiUrl: 'http://example.com', notFoundGrace: 60_000 },
    );
    const outcome = await collect(zipProgress$(options));
    // notFoundGrace 0 as first read: the unknown hash fails at once with 1901.
    expect(outcome.error).toMatchObject({ name: 'PCloudApiError', code: 1901 });
    expect(requestsOf(fake, 'savezipprogress').map((r) => r.params.progresshash)).toEqual(['first-hash']);
    expect(reads).toEqual(Object.fromEntries(Object.keys(reads).map((key) => [key, 1])));
  });

  it('saveZip$ validates and uses the same values', async () => {
    const user = fake.addUser();
    const a = user.writeFile('/src/a.txt', 'a').fileid;
    const b = user.writeFile('/src/b.txt', 'b').fileid;
    const { options, reads } = shifty<SaveZipOptions>(
      [...CONNECTION, ...POLLING, ...SAVE],
      { auth: user.auth, apiUrl: fake.url, fileids: [a, b], topath: '/two.zip', pinServer: false, backoff: { initialDelay: 5, maxDelay: 20 } },
      { fileids: 'junk', topath: '/other.zip', pinServer: true },
    );
    const events = await lastValueFrom(saveZip$(options).pipe(toArray()));
    expect(events.at(-1)).toMatchObject({ type: 'saved', metadata: { path: '/two.zip' } });
    expect(fake.requests.map((r) => r.method)).not.toContain('currentserver');
    expect(requestsOf(fake, 'savezip').map((r) => r.params.fileids)).toEqual([`${a},${b}`]);
    expect(reads).toEqual(Object.fromEntries(Object.keys(reads).map((key) => [key, 1])));
  });
});
