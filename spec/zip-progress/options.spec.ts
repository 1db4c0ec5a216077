import { saveZip$, type SaveZipOptions, zipProgress$ } from '../../lib/index.js';

/** Bad options are programming errors: a TypeError naming the option, before any request. */
describe('option validation', () => {
  const base = { progresshash: 'h', auth: 'token', apiUrl: 'https://api.pcloud.com' };
  const sent: string[] = [];
  const fetch = (input: string | URL | Request): Promise<Response> => {
    sent.push(input instanceof Request ? input.url : input.toString());
    return Promise.reject(new Error('must not be called'));
  };

  afterEach(() => {
    expect(sent).toEqual([]);
  });

  it.each([
    [{ progresshash: '' }, /progresshash/],
    [{ progresshash: undefined }, /progresshash/],
    [{ accessToken: 'x' }, /either auth or accessToken/],
    [{ auth: '' }, /auth must be a non-empty string/],
    [{ auth: 'to ken' }, /auth contains white space/],
    [{ auth: 'tok\r\nen' }, /auth contains white space or control/],
    [{ requestTimeout: -1 }, /requestTimeout/],
    [{ timeout: Number.NaN }, /timeout/],
    [{ stallTimeout: 0 }, /stallTimeout/],
    [{ notFoundGrace: -5 }, /notFoundGrace/],
    [{ maxRetries: 1.5 }, /maxRetries/],
    [{ maxRetries: Infinity }, /maxRetries/],
    [{ backoff: { initialDelay: 1000, maxDelay: 10 } }, /maxDelay \(10\) must not be below backoff.initialDelay/],
    [{ backoff: 5 }, /backoff must be/],
    [{ apiUrl: null }, /apiUrl must be a URL \(leave it undefined for the default\), got null/],
    [{ progresshash: 'a\u0000b' }, /progresshash contains a control character/],
    [{ progresshash: 'abc\n' }, /progresshash contains a control character/],
    [{ progresshash: '\u007f' }, /progresshash contains a control character/],
    [{ progresshash: 'a\ud800' }, /progresshash contains a lone surrogate/],
    [{ progresshash: '\udc00b' }, /progresshash contains a lone surrogate/],
    [{ apiUrl: 'ftp://api.pcloud.com' }, /apiUrl must use http or https/],
    [{ apiUrl: 'not a url' }, /apiUrl must be an absolute http\(s\) URL/],
    [{ apiUrl: 'http://api.pcloud.com' }, /plain http to api.pcloud.com/],
    [{ apiUrl: 'http://10.0.0.5:8080' }, /plain http to 10.0.0.5/],
    [{ apiUrl: 'https://user:pw@api.pcloud.com' }, /must not contain a user name or password/],
    [{ fetch: 'nope' }, /fetch must be a function/],
    [{ signal: {} }, /signal must be an AbortSignal/],
  ])('zipProgress$ rejects %j', (override, message) => {
    expect(() => zipProgress$({ ...base, fetch, ...override } as never)).toThrow(TypeError);
    expect(() => zipProgress$({ ...base, fetch, ...override } as never)).toThrow(message);
  });

  it.each(['requestTimeout', 'timeout', 'stallTimeout', 'notFoundGrace'])('accepts any %s up to Infinity, and names it in one message style', (name) => {
    for (const ms of [30 * 86_400_000, 2 ** 40, Infinity]) expect(() => zipProgress$({ ...base, fetch, [name]: ms })).not.toThrow();
    expect(() => zipProgress$({ ...base, fetch, [name]: -1 })).toThrow(new RegExp(`^${name} must be a number of ms >=? 0.*, got -1$`));
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:1', 'http://[::1]:9', 'http://127.8.9.10'])('allows plain http to loopback %s', (apiUrl) => {
    expect(() => zipProgress$({ ...base, fetch, apiUrl })).not.toThrow();
  });

  it('accepts a progresshash with characters outside the BMP (a surrogate pair)', () => {
    expect(() => zipProgress$({ ...base, fetch, progresshash: 'job-\u{1F600}' })).not.toThrow();
  });

  it('never echoes a token in a validation message', () => {
    expect(() => zipProgress$({ ...base, auth: 'SECRET value' })).toThrow(/^((?!SECRET).)*$/);
  });

  const save: SaveZipOptions = { auth: 'token', folderid: 1, topath: '/a.zip', fetch };
  it.each([
    [{ folderid: undefined }, /needs a tree/],
    [{ folderid: undefined, folderids: [] }, /needs a tree/],
    [{ folderid: -1 }, /folderid must be an id/],
    [{ fileids: [1, 2.5] }, /fileids must hold ids/],
    [{ apiUrl: null }, /apiUrl must be a URL \(leave it undefined for the default\), got null/],
    [{ topath: undefined }, /exactly one destination/],
    [{ tofolderid: 0, toname: 'a.zip' }, /exactly one destination/],
    [{ topath: 'a.zip' }, /topath must be a full path/],
    [{ topath: undefined, tofolderid: 0 }, /tofolderid and toname go together/],
    [{ topath: undefined, toname: 'a.zip' }, /tofolderid and toname go together/],
    [{ topath: undefined, tofolderid: 0, toname: 'x/a.zip' }, /tofolderid and toname go together/],
    [{ pinServer: 'yes' }, /pinServer/],
    [{ accessToken: 't' }, /either auth or accessToken/],
  ])('saveZip$ rejects %j', (override, message) => {
    expect(() => saveZip$({ ...save, ...override } as never)).toThrow(message);
  });

  it('saveZip$ accepts tofolderid + toname', () => {
    expect(() => saveZip$({ ...save, topath: undefined, tofolderid: 0, toname: 'a.zip' })).not.toThrow();
  });
});
