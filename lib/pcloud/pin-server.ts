import { catchError, map, type Observable, of } from 'rxjs';
import { callPCloud$, type PCloudClientConfig } from './client.js';
import { CurrentServerBody } from './codecs.js';
import { isLoopbackHost } from './endpoint.js';
import { type HostTrust, mayReceiveCredentials } from './trusted-hosts.js';

/**
 * `apiUrl` with its host replaced by `hostname` (scheme, port and path kept), or undefined when
 * the name is not a plain host, would send credentials over plain http off this machine, or is
 * not trusted with them (see `mayReceiveCredentials`): a proxy's `currentserver` may name any host.
 */
function pinnedUrl(trust: HostTrust, hostname: string): URL | undefined {
  const url = new URL(trust.apiUrl.href);
  try {
    url.hostname = hostname;
  } catch {
    return undefined;
  }
  // A setter that ignored or rewrote the name (a port, a path, an IDN) means it was not a plain host.
  if (url.hostname !== hostname.toLowerCase()) return undefined;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return undefined;
  return mayReceiveCredentials(trust, url) ? url : undefined;
}

/**
 * Asks `currentserver` which host serves this client, so that `savezip` and every
 * `savezipprogress` reach the same server. Falls back to `apiUrl` when the call fails or the
 * answer is unusable or untrusted: pinning is an optimisation, never a reason to fail the zip
 * nor to send the token elsewhere.
 */
export function pinServer$(client: PCloudClientConfig, trustedHosts: readonly string[]): Observable<URL> {
  const trust: HostTrust = { apiUrl: client.apiUrl, trustedHosts };
  // currentserver needs no credentials: do not send any.
  return callPCloud$({ ...client, credentials: {} }, 'currentserver', {}, CurrentServerBody).pipe(
    map((body) => pinnedUrl(trust, body.hostname) ?? client.apiUrl),
    catchError(() => of(client.apiUrl)),
  );
}
