import { catchError, map, type Observable, of } from 'rxjs';
import { callPCloud$, type PCloudClientConfig } from './client.js';
import { CurrentServerBody } from './codecs.js';
import { isLoopbackHost } from './endpoint.js';

/** A host name as DNS or an IP literal allows it; anything else is not trusted as a host. */
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * `apiUrl` with its host replaced by `hostname` (scheme, port and path kept), or undefined when
 * the name is not a plain host or would send credentials over plain http off this machine.
 */
function pinnedUrl(apiUrl: URL, hostname: string): URL | undefined {
  if (!HOSTNAME.test(hostname)) return undefined;
  const url = new URL(apiUrl.href);
  url.hostname = hostname;
  if (url.hostname !== hostname.toLowerCase()) return undefined;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return undefined;
  return url;
}

/**
 * Asks `currentserver` which host serves this client, so that `savezip` and every
 * `savezipprogress` reach the same server. Falls back to `apiUrl` when the call fails or the
 * answer is unusable: pinning is an optimisation, never a reason to fail the zip.
 */
export function pinServer$(client: PCloudClientConfig): Observable<URL> {
  // currentserver needs no credentials: do not send any.
  return callPCloud$({ ...client, credentials: {} }, 'currentserver', {}, CurrentServerBody).pipe(
    map((body) => pinnedUrl(client.apiUrl, body.hostname) ?? client.apiUrl),
    catchError(() => of(client.apiUrl)),
  );
}
