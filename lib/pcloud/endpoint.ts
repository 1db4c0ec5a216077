/** pCloud's US API host; EU accounts use `https://eapi.pcloud.com`. */
export const DEFAULT_API_URL = 'https://api.pcloud.com';

/** True for hosts whose traffic never leaves the machine: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Validates a base URL for pCloud calls. Credentials may only travel over https, or over plain
 * http to a loopback host (local emulators, tests); a URL carrying its own user:password is
 * refused because it would end up in logs.
 *
 * @param option the option's name, for the error message.
 * @param withCredentials whether credentials will be sent to it.
 */
export function parseApiUrl(value: string | URL, option: string, withCredentials: boolean): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new TypeError(`${option} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${option} must use http or https, not ${url.protocol.replace(':', '')}`);
  }
  if (url.username || url.password) {
    throw new TypeError(`${option} must not contain a user name or password`);
  }
  if (url.search || url.hash) {
    throw new TypeError(`${option} must not have a query string or fragment`);
  }
  if (withCredentials && url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new TypeError(
      `${option} uses plain http to ${url.hostname}: credentials are only sent over https or to a loopback host`,
    );
  }
  return url;
}

/** The URL of one pCloud method under a base URL, keeping any path prefix of the base. */
export function methodUrl(base: URL, method: string): string {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${method}`;
  return url.href;
}
