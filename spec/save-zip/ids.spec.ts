import { lastValueFrom, toArray } from 'rxjs';
import { saveZip$, type SaveZipOptions } from '../../lib/index.js';
import { type FakePCloud, type FakeUser, startFakePCloud } from '../../lib/testing/index.js';
import { requestsOf } from '../support/requests.js';
import { thrownBy } from '../support/thrown.js';
import { unzip } from '../testing/helpers.js';

/**
 * Ids in pCloud's own forms: pCloud takes `fileids=5,6`, so a caller may pass that string, ids
 * as digit strings, arrays of either, or one number; saveZip$ sends the canonical wire form and
 * refuses anything that is not an id, naming the option and the item.
 */
describe('saveZip$ ids in pCloud forms', () => {
  const base: SaveZipOptions = { auth: 'token', topath: '/a.zip', fetch: () => Promise.reject(new Error('must not be called')) };

  it.each<[string, Partial<SaveZipOptions>, RegExp]>([
    ['a negative id', { fileids: '5,-6' }, /fileids must hold ids .*: item 2 is "-6"/],
    ['a fractional id', { fileids: [1, 2.5] }, /fileids must hold ids .*: item 2 is 2\.5/],
    ['an id past 2^53-1', { fileids: [2 ** 53] }, /fileids must hold ids .*: item 1 is 9007199254740992/],
    ['a digit string past 2^53-1', { fileids: '9007199254740993' }, /item 1 is "9007199254740993"/],
    ['an empty item', { fileids: '5,,6' }, /fileids must hold ids .*: item 2 is empty/],
    ['a trailing comma', { fileids: '5,' }, /item 2 is empty/],
    ['a hexadecimal string', { fileids: '0x10' }, /item 1 is "0x10"/],
    ['an exponent', { folderids: '1e3' }, /folderids must hold ids .*: item 1 is "1e3"/],
    ['NaN', { fileids: [Number.NaN] }, /item 1 is NaN/],
    ['Infinity', { excludefileids: Infinity }, /excludefileids must hold ids .*: item 1 is Infinity/],
    ['a list inside an array item', { fileids: ['5,6'] }, /item 1 is "5,6"/],
    ['a boolean list', { excludefolderids: true as never }, /excludefolderids must be an array of ids, an id or a comma-separated string of ids, got true/],
    ['null as a list', { fileids: null as never }, /fileids must be an array of ids, .* got null/],
    ['a negative folderid', { folderid: -1 }, /folderid must be an id .*, got -1/],
    ['a folderid string with letters', { folderid: '12a' }, /folderid must be an id .*, got "12a"/],
    ['an empty folderid string', { folderid: '' }, /folderid must be an id .*, got ""/],
    ['a fractional tofolderid', { topath: undefined, tofolderid: 1.5, toname: 'a.zip' }, /tofolderid must be an id .*, got 1\.5/],
    ['a tofolderid in hexadecimal', { topath: undefined, tofolderid: '0x1', toname: 'a.zip' }, /tofolderid must be an id .*, got "0x1"/],
  ])('refuses %s with a TypeError naming the option and the item', (_what, override, message) => {
    const error = thrownBy(() => saveZip$({ folderid: 0, ...base, ...override }));
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(message);
  });

  it('cuts a long bad item short in the message', () => {
    const error = thrownBy(() => saveZip$({ ...base, fileids: `1,${'x'.repeat(5000)}` }));
    expect(String(error).length).toBeLessThan(200);
  });

  it.each<[string, Partial<SaveZipOptions>]>([
    ['an empty array', { fileids: [] }],
    ['an empty string', { fileids: '' }],
    ['a blank string', { folderids: '  ' }],
  ])('treats %s as no list (a tree is still needed)', (_what, override) => {
    expect(() => saveZip$({ ...base, ...override })).toThrow(/needs a tree/);
  });

  describe('against the emulator', () => {
    let fake: FakePCloud;
    let user: FakeUser;
    let ids: number[];
    let src: number;
    let out: number;

    beforeEach(async () => {
      fake = await startFakePCloud({ bytesPerSecond: Infinity });
      user = fake.addUser();
      ids = ['a', 'b', 'c'].map((name) => user.writeFile(`/src/${name}.txt`, name).fileid);
      src = user.mkdir('/src').folderid;
      out = user.mkdir('/out').folderid;
    });
    afterEach(async () => {
      await fake.close();
    });

    const save = (extra: Partial<SaveZipOptions>): Promise<unknown> =>
      lastValueFrom(saveZip$({ auth: user.auth, apiUrl: fake.url, pinServer: false, backoff: { initialDelay: 5, maxDelay: 20, jitter: 'none' }, ...extra }).pipe(toArray()));

    it.each<[string, (ids: number[]) => Partial<SaveZipOptions>]>([
      ['a comma string', ([a, b]) => ({ fileids: `${a},${b}` })],
      ['a comma string with spaces', ([a, b]) => ({ fileids: ` ${a} , ${b} ` })],
      ['an array of digit strings', ([a, b]) => ({ fileids: [String(a), ` 00${b}`] })],
      ['an array of numbers and strings', ([a, b]) => ({ fileids: [a!, String(b)] })],
    ])('zips the files of %s and sends the wire form', async (_what, form) => {
      const [a, b] = ids;
      await save({ ...form(ids), topath: '/out/two.zip' });
      expect(requestsOf(fake, 'savezip').map((r) => r.params.fileids)).toEqual([`${a},${b}`]);
      const entries = await unzip(Buffer.from(user.readFile('/out/two.zip')!));
      expect([...entries.keys()].sort()).toEqual(['a.txt', 'b.txt']);
    });

    it('takes one id as a number', async () => {
      const [a] = ids;
      await save({ fileids: a, topath: '/out/one.zip' });
      expect(requestsOf(fake, 'savezip').map((r) => r.params.fileids)).toEqual([String(a)]);
      expect([...(await unzip(Buffer.from(user.readFile('/out/one.zip')!))).keys()]).toEqual(['a.txt']);
    });

    it('takes folderid and tofolderid as digit strings', async () => {
      const [, , c] = ids;
      await save({ folderid: ` ${src}`, excludefileids: c, topath: undefined, tofolderid: String(out), toname: 'strings.zip' });
      expect(requestsOf(fake, 'savezip')[0]?.params).toMatchObject({ folderid: String(src), excludefileids: String(c), tofolderid: String(out) });
      expect([...(await unzip(Buffer.from(user.readFile('/out/strings.zip')!))).keys()].sort()).toEqual(['a.txt', 'b.txt']);
    });
  });
});
