import { zipFileMetadata$, type ZipJobRef, zipProgress$ } from '../../lib/index.js';
import { remainingGrace } from '../../lib/zip-progress/job-ref.js';

/** Re-attach options: which stored jobs are accepted, and where a token may be sent. */
describe('ZipJobRef validation and the host rule', () => {
  const job = (extra: Partial<Record<keyof ZipJobRef, unknown>> = {}): ZipJobRef =>
    ({ progresshash: 'abc', apiUrl: 'https://api7.pcloud.com', destination: { topath: '/a.zip' }, startedAt: 1, ...extra }) as ZipJobRef;

  it.each([
    ['api.pcloud.com (the default)', 'https://api.pcloud.com'],
    ['a pinned US host', 'https://api7.pcloud.com'],
    ['the EU host', 'https://eapi.pcloud.com'],
    ['a path prefix', 'https://api3.pcloud.com/prefix'],
  ])('accepts %s with the default apiUrl', (_what, apiUrl) => {
    expect(() => zipProgress$({ job: job({ apiUrl }), auth: 't' })).not.toThrow();
  });

  it.each([
    ['another domain', 'https://evil.example.com', /evil\.example\.com/],
    ['a look-alike suffix', 'https://api.pcloud.com.evil.net', /api\.pcloud\.com\.evil\.net/],
    ['a look-alike prefix', 'https://evilpcloud.com', /evilpcloud\.com/],
    ['pcloud.com itself (not an API host)', 'https://pcloud.com', /pcloud\.com is not a host apiUrl/],
    ['a non-API pCloud host', 'https://my.pcloud.com', /my\.pcloud\.com/],
    ['plain http to pCloud', 'http://api7.pcloud.com', /api7\.pcloud\.com/],
    ['another port', 'https://api7.pcloud.com:8443', /api7\.pcloud\.com:8443/],
    ['plain http to a remote host', 'http://10.0.0.1', /plain http to 10\.0\.0\.1/],
    ['not a URL', 'api7', /job\.apiUrl must be an absolute/],
  ])('refuses %s with a TypeError naming the host, before any request', (_what, apiUrl, message) => {
    const fetch = jest.fn<Promise<Response>, Parameters<typeof globalThis.fetch>>();
    expect(() => zipProgress$({ job: job({ apiUrl }), auth: 't', fetch })).toThrow(message);
    expect(() => zipFileMetadata$({ job: job({ apiUrl }), auth: 't', fetch })).toThrow(TypeError);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('checks the job host against the apiUrl option: the EU region, a loopback emulator', () => {
    expect(() => zipProgress$({ job: job({ apiUrl: 'https://eapi.pcloud.com' }), auth: 't', apiUrl: 'https://eapi.pcloud.com' })).not.toThrow();
    expect(() => zipProgress$({ job: job({ apiUrl: 'http://localhost:8080' }), auth: 't', apiUrl: 'http://127.0.0.1:8080' })).not.toThrow();
    expect(() => zipProgress$({ job: job({ apiUrl: 'http://127.0.0.1:9999' }), auth: 't', apiUrl: 'http://127.0.0.1:8080' })).toThrow(/127\.0\.0\.1:9999/);
    expect(() => zipProgress$({ job: job({ apiUrl: 'https://api7.pcloud.com' }), auth: 't', apiUrl: 'http://127.0.0.1:8080' })).toThrow(TypeError);
    // No parent-domain guess for a custom apiUrl: a sibling is refused unless named in trustedHosts.
    expect(() => zipProgress$({ job: job({ apiUrl: 'https://api.corp.example' }), auth: 't', apiUrl: 'https://proxy.corp.example' })).toThrow(/api\.corp\.example/);
    expect(() => zipProgress$({ job: job({ apiUrl: 'https://api.corp.example' }), auth: 't', apiUrl: 'https://proxy.corp.example', trustedHosts: ['api.corp.example'] })).not.toThrow();
  });

  it('needs progresshash or job; both only when they agree', () => {
    expect(() => zipProgress$({ auth: 't' })).toThrow(/progresshash must be a non-empty string/);
    expect(() => zipProgress$({ job: job(), progresshash: 'other', auth: 't' })).toThrow(/progresshash or job, not both/);
    expect(() => zipProgress$({ job: job(), progresshash: 'abc', auth: 't' })).not.toThrow();
  });

  it.each([
    ['null', null, /job must be a ZipJobRef/],
    ['a string', 'abc', /job must be a ZipJobRef/],
    ['no progresshash', { progresshash: undefined }, /job\.progresshash must be a non-empty string/],
    ['a control character in progresshash', { progresshash: 'a\nb' }, /job\.progresshash contains a control character/],
    ['a numeric apiUrl', { apiUrl: 7 }, /job\.apiUrl must be a URL string/],
    ['no startedAt', { startedAt: undefined }, /job\.startedAt must be a number/],
    ['no destination', { destination: undefined }, /job\.destination must be/],
    ['a relative topath', { destination: { topath: 'a.zip' } }, /job\.destination\.topath must be a full path/],
    ['a fractional tofolderid', { destination: { tofolderid: 1.5, toname: 'a.zip' } }, /job\.destination\.tofolderid/],
    ['a toname with /', { destination: { tofolderid: 1, toname: 'a/b.zip' } }, /job\.destination\.toname/],
  ])('refuses a job with %s', (_what, value, message) => {
    const bad = value !== null && typeof value === 'object' ? job(value) : (value as unknown as ZipJobRef);
    // zipProgress$ reads no destination; zipFileMetadata$ checks every field.
    if (!/destination/.test(message.source)) expect(() => zipProgress$({ job: bad, auth: 't' })).toThrow(message);
    expect(() => zipFileMetadata$({ job: bad, auth: 't' })).toThrow(message);
  });

  it('gives a re-attach what is left of notFoundGrace since the job started', () => {
    expect(remainingGrace(15_000, 1000, 6000)).toBe(10_000);
    expect(remainingGrace(15_000, 1000, 60_000)).toBe(0);
    // A start time ahead of this clock (another machine): the whole grace.
    expect(remainingGrace(15_000, 9000, 6000)).toBe(15_000);
  });
});
