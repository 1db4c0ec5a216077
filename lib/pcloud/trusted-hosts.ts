/**
 * Where credentials may go: the one rule behind pinning (`currentserver`'s answer) and re-attach
 * (a stored job's host). A host is trusted only when it is named, never guessed from a parent
 * domain: `proxy.co.uk` must not trust `evil.co.uk`, nor `me.github.io` trust `you.github.io`.
 */
import { invalidInput } from '../poll/option-rules.js';
import { isLoopbackHost } from './endpoint.js';

/** What decides where credentials may go: the `apiUrl` option and the hosts the user named. */
export interface HostTrust {
  readonly apiUrl: URL;
  /** Exact host names (lower case, as a URL spells them, no trailing dot). */
  readonly trustedHosts: readonly string[];
}

/** A DNS host name: labels of letters, digits and inner hyphens (an IDN arrives as punycode). */
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The names pCloud gives its API servers: `api` and `eapi` (the two regions), numbered servers
 * as `currentserver` names them (`api7`, docs.pcloud.com/methods/general/currentserver.html) and
 * named ones (`api-ams1`, getapiserver.html), all directly under pcloud.com. Deliberately not
 * "any *.pcloud.com": that domain also names servers that are not the API (content, web and
 * WebDAV hosts, and any name pCloud may point at a vendor), and none of them needs the token.
 */
const PCLOUD_API_HOST = /^e?api(?:\d{1,4}|-[a-z]{2,16}\d{0,4})?\.pcloud\.com$/;

/** One root dot (`host.`) spells the same DNS name as `host`. */
function withoutRootDot(hostname: string): string {
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}

/**
 * Whether `hostname` is one of pCloud's own API hosts (see `PCLOUD_API_HOST`).
 *
 * @example
 * isPCloudApiHost('api7.pcloud.com'); // true
 * isPCloudApiHost('my.pcloud.com'); // false
 */
export function isPCloudApiHost(hostname: string): boolean {
  return PCLOUD_API_HOST.test(withoutRootDot(hostname.toLowerCase()));
}

/**
 * Whether credentials meant for `trust.apiUrl` may be sent to `target`: same scheme and port
 * (the URL parser already drops a default port), and then
 * - the same host (a trailing root dot ignored), or
 * - two loopback hosts (a local emulator under another name), or
 * - when `apiUrl` is one of pCloud's own API hosts, another of them (`currentserver`'s answer), or
 * - a host named in `trust.trustedHosts`.
 *
 * @example
 * mayReceiveCredentials({ apiUrl: new URL('https://api.pcloud.com'), trustedHosts: [] }, new URL('https://api7.pcloud.com')); // true
 * mayReceiveCredentials({ apiUrl: new URL('https://proxy.co.uk'), trustedHosts: [] }, new URL('https://evil.co.uk')); // false
 */
export function mayReceiveCredentials(trust: HostTrust, target: URL): boolean {
  const { apiUrl } = trust;
  if (apiUrl.protocol !== target.protocol || apiUrl.port !== target.port) return false;
  if (isLoopbackHost(apiUrl.hostname) && isLoopbackHost(target.hostname)) return true;
  const trusted = withoutRootDot(apiUrl.hostname);
  const host = withoutRootDot(target.hostname);
  if (host === trusted) return true;
  if (isPCloudApiHost(trusted) && isPCloudApiHost(host)) return true;
  return trust.trustedHosts.includes(host);
}

const NO_HOSTS: readonly string[] = Object.freeze([]);

/** One entry of `trustedHosts`, checked: a bare host name exactly as a URL spells it. */
function trustedHost(entry: unknown, index: number): string {
  let parsed: string | undefined;
  try {
    parsed = withoutRootDot(new URL(`https://${String(entry)}/`).hostname);
  } catch {
    // not a host: reported below
  }
  const isHost = parsed !== undefined && (HOSTNAME.test(parsed) || IPV4.test(parsed) || parsed.startsWith('['));
  // The parser rewrites what is not a bare name (a port, a path, a user, upper case, an IDN).
  if (typeof entry !== 'string' || !isHost || parsed !== withoutRootDot(entry.toLowerCase())) {
    invalidInput(`trustedHosts[${index}] must be a host name as a URL spells it, such as api.example.com (IDN as punycode; no wildcard, scheme, port or path), got ${JSON.stringify(entry)}${isHost ? `: did you mean ${JSON.stringify(parsed)}?` : ''}`);
  }
  return parsed;
}

/**
 * The `trustedHosts` option, checked and copied (frozen, lower case, no trailing dot); a
 * TypeError naming the entry otherwise. Undefined: none.
 *
 * @example
 * readTrustedHosts(['Api.Example.com']); // ['api.example.com']
 * readTrustedHosts(['*.example.com']); // throws TypeError
 */
export function readTrustedHosts(value: unknown): readonly string[] {
  if (value === undefined) return NO_HOSTS;
  if (!Array.isArray(value)) invalidInput('trustedHosts must be an array of host names, e.g. ["api.example.com"]');
  const hosts: string[] = [];
  for (let i = 0; i < value.length; i += 1) hosts.push(trustedHost(value[i], i));
  return Object.freeze(hosts);
}
