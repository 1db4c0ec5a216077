import { DEFAULT_API_URL } from '../../lib/index.js';
import { isLoopbackHost, methodUrl, parseApiUrl } from '../../lib/pcloud/endpoint.js';
import { thrownBy } from '../support/thrown.js';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.255.0.9', '::1', '[::1]'])('%s never leaves the machine', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['api.pcloud.com', '10.0.0.5', '128.0.0.1', '127.0.0.1.evil.com', 'localhost.evil.com', '0.0.0.0', '[::2]', '1127.0.0.1'])('%s may leave it', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('parseApiUrl', () => {
  it('parses the default and keeps a path prefix', () => {
    expect(parseApiUrl(DEFAULT_API_URL, 'apiUrl', true).href).toBe('https://api.pcloud.com/');
    expect(parseApiUrl(new URL('https://proxy.example/pcloud/'), 'apiUrl', true).pathname).toBe('/pcloud/');
  });

  it('allows plain http to a remote host when no credential is sent, and to loopback always', () => {
    expect(parseApiUrl('http://proxy.example', 'apiUrl', false).protocol).toBe('http:');
    expect(parseApiUrl('http://127.0.0.1:8080', 'apiUrl', true).port).toBe('8080');
  });

  it.each<[string, RegExp]>([
    ['not a url', /^TypeError: apiUrl must be an absolute http\(s\) URL$/],
    ['/relative', /absolute/],
    ['ftp://api.pcloud.com', /must use http or https, not ftp/],
    ['https://user:secret@api.pcloud.com', /must not contain a user name or password/],
    ['https://api.pcloud.com?auth=x', /must not have a query string or fragment/],
    ['https://api.pcloud.com/#x', /must not have a query string or fragment/],
    ['http://api.pcloud.com', /plain http to api.pcloud.com: credentials are only sent over https or to a loopback host/],
  ])('refuses %s', (value, message) => {
    const error = thrownBy(() => parseApiUrl(value, 'apiUrl', true));
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(message);
  });

  it('never echoes a password from the URL', () => {
    expect(String(thrownBy(() => parseApiUrl('https://user:hunter2@api.pcloud.com', 'apiUrl', true)))).not.toContain('hunter2');
  });
});

describe('methodUrl', () => {
  it.each([
    ['https://api.pcloud.com', 'https://api.pcloud.com/savezip'],
    ['https://api.pcloud.com/', 'https://api.pcloud.com/savezip'],
    ['https://proxy.example/pcloud', 'https://proxy.example/pcloud/savezip'],
    ['https://proxy.example/pcloud//', 'https://proxy.example/pcloud/savezip'],
    ['http://127.0.0.1:9000/a/b/', 'http://127.0.0.1:9000/a/b/savezip'],
  ])('%s + savezip = %s', (base, url) => {
    expect(methodUrl(new URL(base), 'savezip')).toBe(url);
  });

  it('leaves the base URL unchanged', () => {
    const base = new URL('https://proxy.example/pcloud');
    methodUrl(base, 'savezip');
    expect(base.href).toBe('https://proxy.example/pcloud');
  });
});
