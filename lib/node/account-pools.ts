/**
 * One connection pool per credential (Node only). pCloud binds a keep-alive connection to the
 * first account that authenticates on it: "All requests after that will ignore any user
 * credentials passed and will use the ones from the successful authentication" (pCloud's
 * api.txt). Node's `fetch` pools connections per origin, across credentials, so two accounts in
 * one process would act as each other. Here every credential, and the requests that carry none
 * (`currentserver`), get an undici `Agent` of their own; a pool unused for a while is closed.
 */
import { createHash } from 'node:crypto';
import { Agent } from 'undici';
import { type Credentials, validateCredentials } from '../pcloud/credentials.js';

interface Pool {
  readonly agent: Agent;
  /** Date.now() of its last request: a sweep closes pools idle longer than `POOL_IDLE_MS`. */
  lastUsed: number;
}

/**
 * How long a pool outlives its last request: short enough that a process serving many accounts
 * over a day keeps only the pools of the accounts it is serving now. Idle sockets usually close
 * before (undici keeps one 4 s, or what the server's Keep-Alive header allows less 2 s); closing
 * the pool ends any left. Pools set no cap on sockets, as the platform's own pool does not: a
 * `savezip` holds its connection for as long as its zip takes, and a cap would queue the others.
 */
export const POOL_IDLE_MS = 30_000;

/** Keyed by a digest of the credential, so the map holds no token. */
const pools = new Map<string, Pool>();
let sweeper: ReturnType<typeof setInterval> | undefined;

/** The pool's key: the credential's SHA-256, or '' for requests without one. */
function keyOf(credentials: Credentials): string {
  const { auth, accessToken } = credentials;
  if (auth === undefined && accessToken === undefined) return '';
  return createHash('sha256').update(`${auth ?? ''}\n${accessToken ?? ''}`).digest('base64');
}

/**
 * Closes the pools idle since before `now - POOL_IDLE_MS`. `close()` lets a request still in
 * flight (a `savezip` lasts as long as its zip) finish; a later request opens a new pool.
 */
export function sweepIdlePools(now: number): void {
  for (const [key, pool] of pools) {
    if (now - pool.lastUsed < POOL_IDLE_MS) continue;
    pools.delete(key);
    void pool.agent.close().catch(() => undefined);
  }
  if (pools.size === 0 && sweeper !== undefined) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

function poolOf(key: string): Pool {
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = { agent: new Agent(), lastUsed: 0 };
    pools.set(key, pool);
    // One timer for all pools, unref'd: it never keeps a process alive.
    sweeper ??= setInterval(() => {
      sweepIdlePools(Date.now());
    }, POOL_IDLE_MS).unref();
  }
  pool.lastUsed = Date.now();
  return pool;
}

/** How many pools are open (specs and the scale bench). */
export function openPoolCount(): number {
  return pools.size;
}

/**
 * A `fetch` whose requests go over connections that carry only this credential's requests: in
 * Node, two accounts never share a keep-alive connection, so pCloud never acts as the wrong one.
 * This is what the library uses when no `fetch` option is given. Give it to your own `fetch`
 * wrapper (logging, proxies, instrumentation) to keep that guarantee; a pool unused for 30 s is
 * closed, and a later request opens a new one.
 *
 * @param credentials the account whose requests this fetch sends; `{}` for calls without one.
 * @throws TypeError when the credentials are malformed (both set, empty, white space).
 *
 * @example
 * ```ts
 * import { accountFetch, zipProgress$ } from 'pcloud-zip-progress/node';
 *
 * const auth = process.env.PCLOUD_AUTH ?? '';
 * const viaMyAccountPool = accountFetch({ auth });
 * const logged: typeof fetch = (input, init) => {
 *   console.log('pCloud request', new Request(input).url);
 *   return viaMyAccountPool(input, init);
 * };
 * zipProgress$({ progresshash: 'c0ffee', auth, fetch: logged }).subscribe();
 * ```
 */
export function accountFetch(credentials: Credentials): typeof globalThis.fetch {
  // The same checks as every other entry point: a TypeError naming the field, never its value.
  validateCredentials(credentials);
  const key = keyOf(credentials);
  // The platform fetch with undici's `dispatcher` extension (Node 20 to 26 take an undici 7 Agent).
  return (input, init) => globalThis.fetch(input, { ...init, dispatcher: poolOf(key).agent } as RequestInit);
}
