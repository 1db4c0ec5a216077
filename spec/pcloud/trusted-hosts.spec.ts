import { saveZip$, zipFileMetadata$, zipProgress$ } from '../../lib/index.js';
import { isPCloudApiHost, mayReceiveCredentials, readTrustedHosts } from '../../lib/pcloud/trusted-hosts.js';

/** The one rule of where credentials may go (pinning and re-attach both use it). */
describe('mayReceiveCredentials', () => {
  const may = (apiUrl: string, target: string, trustedHosts: readonly string[] = []): boolean =>
    mayReceiveCredentials({ apiUrl: new URL(apiUrl), trustedHosts: readTrustedHosts(trustedHosts) }, new URL(target));

  it.each([
    ['co.uk', 'https://proxy.co.uk', 'https://evil.co.uk'],
    ['com.au', 'https://proxy.com.au', 'https://evil.com.au'],
    ['github.io', 'https://me.github.io', 'https://you.github.io'],
    ['a private domain too: no parent-domain guess at all', 'https://proxy.corp.example', 'https://api.corp.example'],
    ['the suffix itself', 'https://proxy.co.uk', 'https://co.uk'],
    ['a subdomain of the trusted host', 'https://proxy.example', 'https://x.proxy.example'],
  ])('never trusts a sibling under a shared suffix (%s)', (_what, apiUrl, target) => {
    expect(may(apiUrl, target)).toBe(false);
  });

  it.each([
    ['api7 (currentserver)', 'https://api7.pcloud.com'],
    ['the EU host', 'https://eapi.pcloud.com'],
    ['a numbered EU host', 'https://eapi12.pcloud.com'],
    ['a named server (getapiserver)', 'https://api-ams1.pcloud.com'],
    ['with a root dot', 'https://api7.pcloud.com.'],
    ['upper case (the URL parser lowers it)', 'https://API7.PCLOUD.COM'],
  ])('pCloud API host trusts another pCloud API host: %s', (_what, target) => {
    expect(may('https://api.pcloud.com', target)).toBe(true);
    expect(may('https://eapi.pcloud.com', target)).toBe(true);
  });

  it.each([
    ['pcloud.com itself', 'https://pcloud.com'],
    ['the web app', 'https://my.pcloud.com'],
    ['a content host', 'https://p-def8.pcloud.com'],
    ['WebDAV', 'https://ewebdav.pcloud.com'],
    ['a deeper name', 'https://api7.x.pcloud.com'],
    ['a look-alike suffix', 'https://api.pcloud.com.evil.net'],
    ['a look-alike domain', 'https://api.pcloud.co'],
    ['a look-alike label', 'https://apievil.pcloud.com'],
    ['an IDN look-alike (Cyrillic а, punycoded)', 'https://\u0430pi7.pcloud.com'],
    ['an IDN look-alike of the domain', 'https://api7.pc\u04cfoud.com'],
    ['plain http', 'http://api7.pcloud.com'],
  ])('pCloud API host does not trust %s', (_what, target) => {
    expect(may('https://api.pcloud.com', target)).toBe(false);
  });

  it('a custom apiUrl trusts its own host only, unless the user names more', () => {
    expect(may('https://proxy.example', 'https://proxy.example/prefix')).toBe(true);
    expect(may('https://proxy.example', 'https://api7.pcloud.com')).toBe(false);
    expect(may('https://proxy.example', 'https://node1.proxy.example')).toBe(false);
    expect(may('https://proxy.example', 'https://node1.proxy.example', ['node1.proxy.example'])).toBe(true);
    // Named hosts are exact: no subdomain, no sibling.
    expect(may('https://proxy.example', 'https://x.node1.proxy.example', ['node1.proxy.example'])).toBe(false);
    // A pCloud apiUrl trusts named hosts too.
    expect(may('https://api.pcloud.com', 'https://mirror.example', ['mirror.example'])).toBe(true);
  });

  it('trailing root dots spell the same host, on either side', () => {
    expect(may('https://proxy.example.', 'https://proxy.example')).toBe(true);
    expect(may('https://proxy.example', 'https://proxy.example.')).toBe(true);
    expect(may('https://proxy.co.uk.', 'https://evil.co.uk.')).toBe(false);
    expect(may('https://proxy.example', 'https://node1.proxy.example.', ['node1.proxy.example'])).toBe(true);
  });

  it('needs the same scheme and port: an explicit default port is the same port', () => {
    expect(may('https://proxy.example', 'https://proxy.example:443')).toBe(true);
    expect(may('https://proxy.example:443', 'https://proxy.example')).toBe(true);
    expect(may('https://proxy.example', 'https://proxy.example:8443')).toBe(false);
    expect(may('https://proxy.example:8443', 'https://proxy.example')).toBe(false);
    expect(may('https://api.pcloud.com', 'https://api7.pcloud.com:8443')).toBe(false);
    expect(may('https://proxy.example', 'http://proxy.example')).toBe(false);
    expect(may('https://proxy.example', 'https://node1.proxy.example:8443', ['node1.proxy.example'])).toBe(false);
    expect(may('http://127.0.0.1:8080', 'http://127.0.0.1:80')).toBe(false);
  });

  it('IP literals: only the same address, or one named', () => {
    expect(may('https://10.0.0.1', 'https://10.0.0.1')).toBe(true);
    expect(may('https://10.0.0.1', 'https://10.0.0.2')).toBe(false);
    expect(may('https://[2001:db8::1]', 'https://[2001:db8::2]')).toBe(false);
    expect(may('https://[2001:db8::1]', 'https://[2001:db8:0::1]')).toBe(true);
    expect(may('https://10.0.0.1', 'https://10.0.0.2', ['10.0.0.2'])).toBe(true);
  });

  it('loopback trusts loopback on the same port, whatever its name', () => {
    expect(may('http://127.0.0.1:8080', 'http://localhost:8080')).toBe(true);
    expect(may('http://localhost:8080', 'http://[::1]:8080')).toBe(true);
    expect(may('http://127.0.0.1:8080', 'http://127.0.0.2:8080')).toBe(true);
    expect(may('http://127.0.0.1:8080', 'http://10.0.0.1:8080')).toBe(false);
    expect(may('https://proxy.example', 'https://localhost')).toBe(false);
  });

  it('names pCloud API hosts by pattern, not by parent domain', () => {
    expect(['api.pcloud.com', 'eapi.pcloud.com', 'api7.pcloud.com', 'api-ams1.pcloud.com'].map(isPCloudApiHost)).toEqual([true, true, true, true]);
    expect(['pcloud.com', 'my.pcloud.com', 'binapi.pcloud.com', 'api.pcloud.com.evil.net', 'xn--pi7-5cd.pcloud.com'].map(isPCloudApiHost)).toEqual([false, false, false, false, false]);
  });
});

describe('the trustedHosts option', () => {
  it('keeps exact host names, lower case, without a root dot', () => {
    expect(readTrustedHosts(['Node1.Proxy.Example', 'node2.proxy.example.', '10.0.0.5', '[2001:db8::1]'])).toEqual([
      'node1.proxy.example',
      'node2.proxy.example',
      '10.0.0.5',
      '[2001:db8::1]',
    ]);
    expect(Object.isFrozen(readTrustedHosts(['a.example']))).toBe(true);
    expect(readTrustedHosts(undefined)).toEqual([]);
  });

  it.each([
    ['not an array', 'a.example', /trustedHosts must be an array of host names/],
    ['an empty name', [''], /trustedHosts\[0\] must be a host name/],
    ['a number', [7], /trustedHosts\[0\] must be a host name/],
    ['a wildcard', ['*.example.com'], /trustedHosts\[0\] must be a host name .*no wildcard.*got "\*\.example\.com"$/],
    ['a URL', ['https://a.example'], /trustedHosts\[0\] must be a host name .*got "https:\/\/a\.example": did you mean "https"/],
    ['a port', ['a.example:8443'], /trustedHosts\[0\] must be a host name .*got "a\.example:8443": did you mean "a\.example"/],
    ['a path', ['a.example/x'], /got "a\.example\/x": did you mean "a\.example"/],
    ['a user', ['me@a.example'], /got "me@a\.example": did you mean "a\.example"/],
    ['an IDN in Unicode', ['b\u00fccher.example'], /did you mean "xn--bcher-kva\.example"/],
    ['spaces', ['a example'], /trustedHosts\[0\]/],
  ])('refuses %s with a TypeError naming the entry', (_what, value, message) => {
    expect(() => readTrustedHosts(value)).toThrow(TypeError);
    expect(() => readTrustedHosts(value)).toThrow(message);
  });

  it('is checked by every entry point before any request', () => {
    const fetch = jest.fn<Promise<Response>, Parameters<typeof globalThis.fetch>>();
    const job = { progresshash: 'h', apiUrl: 'https://api.pcloud.com', destination: { topath: '/a.zip' }, startedAt: 1 };
    expect(() => zipProgress$({ progresshash: 'h', auth: 't', fetch, trustedHosts: ['*.x'] })).toThrow(/trustedHosts\[0\]/);
    expect(() => saveZip$({ auth: 't', fetch, folderid: 1, topath: '/a.zip', trustedHosts: ['*.x'] })).toThrow(/trustedHosts\[0\]/);
    expect(() => zipFileMetadata$({ job, auth: 't', fetch, trustedHosts: 'x' as unknown as string[] })).toThrow(/trustedHosts must be an array/);
    expect(fetch).not.toHaveBeenCalled();
  });
});
