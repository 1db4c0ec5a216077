import { invalidInput } from '../poll/option-rules.js';

/** pCloud's US API host; EU accounts use `https://eapi.pcloud.com`. */
export const DEFAULT_API_URL = 'https://api.pcloud.com';

/** True for hosts whose traffic never leaves the machine: 127.0.0.0/8, ::1 and localhost (brackets and case ignored). */
export function isLoopbackHost(hostname: string): boolean {
  return /^\[?(localhost|::1|127(\.\d{1,3}){3})\]?$/i.test(hostname);
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
    return invalidInput(`${option} must be an absolute http(s) URL`);
  }
  const { protocol, hostname } = url;
  if (protocol !== 'https:' && protocol !== 'http:') invalidInput(`${option} must use http or https, not ${protocol.slice(0, -1)}`);
  if (url.username || url.password) invalidInput(`${option} must not contain a user name or password`);
  if (url.search || url.hash) invalidInput(`${option} must not have a query string or fragment`);
  if (withCredentials && protocol === 'http:' && !isLoopbackHost(hostname)) {
    invalidInput(`${option} uses plain http to ${hostname}: credentials are only sent over https or to a loopback host`);
  }
  return url;
}

/** The URL of one pCloud method under a base URL, keeping any path prefix of the base. */
export function methodUrl(base: URL, method: string): string {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${method}`;
  return url.href;
}
