import { InjectionToken } from '@angular/core';

/** A folder the app offers to zip. */
export interface DemoFolder {
  readonly folderid: number;
  readonly path: string;
  readonly files: number;
  readonly bytes: number;
}

/**
 * What the page's own server hands the app at start: where pCloud is and a token for it. The
 * token never sits in the bundle or the URL; a real app would get it from its login flow.
 */
export interface DemoSession {
  readonly apiUrl: string;
  readonly auth: string;
  readonly folder: DemoFolder;
  /** Where new zips go, e.g. `/zips`. */
  readonly zipFolder: string;
}

export const DEMO_SESSION = new InjectionToken<DemoSession>('DEMO_SESSION');

function isSession(value: unknown): value is DemoSession {
  if (typeof value !== 'object' || value === null) return false;
  const session = value as Partial<Record<keyof DemoSession, unknown>>;
  const folder = session.folder as Partial<Record<keyof DemoFolder, unknown>> | undefined;
  return (
    typeof session.apiUrl === 'string' &&
    typeof session.auth === 'string' &&
    typeof session.zipFolder === 'string' &&
    typeof folder === 'object' &&
    typeof folder.folderid === 'number' &&
    typeof folder.path === 'string' &&
    typeof folder.files === 'number' &&
    typeof folder.bytes === 'number'
  );
}

/** Fetches the session from the page's server (`GET api/session`, same origin, not cached). */
export async function loadSession(fetchFn: typeof fetch = fetch): Promise<DemoSession> {
  const response = await fetchFn('api/session', { cache: 'no-store', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`GET api/session answered ${response.status}: start the app with npm run demo:angular`);
  const body: unknown = await response.json();
  if (!isSession(body)) throw new Error('GET api/session answered something that is not a session');
  return body;
}
