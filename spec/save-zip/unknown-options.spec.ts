import { firstValueFrom } from 'rxjs';
import { saveZip$, type SaveZipOptions, zipFileMetadata$, type ZipFileMetadataOptions, type ZipJobRef, zipProgress$ } from '../../lib/index.js';

/**
 * Options a call does not know (README, "Unknown options"): the watching calls' `job` and
 * `progresshash` are refused by `saveZip$` (ignored, they would start a second zip or poll a
 * hash nobody knows), `progresshash` by `zipFileMetadata$`; every other unknown key is ignored,
 * so one object can carry the caller's own fields or be shared between the calls.
 */
describe('options a call does not know', () => {
  const job: ZipJobRef = { progresshash: 'abc', apiUrl: 'https://api7.pcloud.com', destination: { topath: '/a.zip' }, startedAt: 1 };
  /** A fetch that fails the test if any request is started. */
  const requests: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(`${request.url} ${await request.text()}`);
    throw new Error('no request expected');
  };
  const start = { auth: 't', fetch, folderid: 1, topath: '/b.zip' };
  /** Plain JavaScript, or an object typed elsewhere: the compiler does not see the extra key. */
  const untyped = (options: object): SaveZipOptions => options;
  const untypedLookup = (options: object): ZipFileMetadataOptions => options as ZipFileMetadataOptions;

  afterEach(() => {
    expect(requests).toEqual([]);
    requests.length = 0;
  });

  it('saveZip$ refuses job, naming the call that watches a stored job', () => {
    expect(() => saveZip$(untyped({ ...start, job }))).toThrow(
      new TypeError('saveZip$ does not take job: it starts a new zip; to watch a stored job use zipProgress$({ job, auth })'),
    );
  });

  it('saveZip$ refuses progresshash, naming the call that watches a hash', () => {
    expect(() => saveZip$(untyped({ ...start, progresshash: 'mine' }))).toThrow(TypeError);
    expect(() => saveZip$(untyped({ ...start, progresshash: 'mine' }))).toThrow(/saveZip\$ does not take progresshash: .* use zipProgress\$\(\{ progresshash, auth \}\)/);
  });

  it('saveZip$ accepts job and progresshash left undefined (a spread of data without them)', () => {
    expect(() => saveZip$(untyped({ ...start, job: undefined, progresshash: undefined }))).not.toThrow();
  });

  it('zipFileMetadata$ refuses a progresshash in place of the job', () => {
    expect(() => zipFileMetadata$(untypedLookup({ auth: 't', fetch, progresshash: 'abc' }))).toThrow(
      new TypeError("zipFileMetadata$ takes job, not progresshash: pass the started event's job, which says where the zip goes"),
    );
  });

  it('ignores every other unknown key: the caller\u2019s own fields, and one call\u2019s options spread into another', async () => {
    const own = { attempt: 2, note: 'nightly', apiURL: 'ignored' };
    expect(() => saveZip$(untyped({ ...start, ...own }))).not.toThrow();
    // saveZip$'s options spread into the watching calls: the tree and destination are ignored.
    const saveOptions = { ...start, ...own, folderids: [2], toname: 'x.zip', timeoffset: 0, pinServer: false };
    expect(() => zipProgress$({ ...saveOptions, job })).not.toThrow();
    expect(() => zipFileMetadata$({ ...saveOptions, job })).not.toThrow();
    // zipFileMetadata$ looks up the job's destination (/a.zip), not the topath beside it (/b.zip).
    const failed = await firstValueFrom(zipFileMetadata$({ ...saveOptions, job, apiUrl: 'https://api.pcloud.com' })).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(requests).toEqual([expect.stringMatching(/^https:\/\/api7\.pcloud\.com\/stat .*path=%2Fa\.zip/)]);
    requests.length = 0;
  });
});
