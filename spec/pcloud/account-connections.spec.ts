import { Agent } from 'undici';
import { concat, concatMap, merge, timer } from 'rxjs';
import { PCloudApiError, zipProgress$ } from '../../lib/index.js';
import { accountFetch, openPoolCount, POOL_IDLE_MS, sweepIdlePools } from '../../lib/node/account-pools.js';
import { type BindingServer, sharedConnections, startBindingServer } from '../support/binding-server.js';
import { collect } from '../support/collect.js';

/**
 * pCloud binds a keep-alive connection to the first account that logs in on it (api.txt). In
 * Node, the default transport gives every credential its own connection pool, so two accounts
 * in one process never act as each other. Against a server that binds as pCloud documents.
 */
describe('one connection, one account (Node default transport)', () => {
  const tokenA = 'token-of-account-A';
  const tokenB = 'token-of-account-B';
  let server: BindingServer;
  const fast = { initialDelay: 1, maxDelay: 5, factor: 2, jitter: 'none' } as const;

  beforeEach(async () => {
    server = await startBindingServer({ 'hash-a1': tokenA, 'hash-a2': tokenA, 'hash-b1': tokenB, 'hash-b2': tokenB }, 4);
  });
  afterEach(async () => {
    await server.close();
  });

  const watch = (progresshash: string, fetch?: typeof globalThis.fetch) =>
    zipProgress$({ progresshash, auth: progresshash.startsWith('hash-a') ? tokenA : tokenB, apiUrl: server.url, backoff: fast, notFoundGrace: 0, ...(fetch ? { fetch } : {}) });
  const hashes = ['hash-a1', 'hash-b1', 'hash-a2', 'hash-b2'] as const;
  /**
   * All four at once, then the four again one after the other, each a moment after the last
   * ended: as a worker serving several accounts does, reusing whatever connection is idle.
   */
  const watchers = (fetch?: typeof globalThis.fetch) =>
    concat(
      merge(...hashes.map((hash) => watch(hash, fetch))),
      ...hashes.map((hash) => timer(20).pipe(concatMap(() => watch(hash, fetch)))),
    );

  it('interleaved watchers of two accounts each see their own jobs: no connection carries two tokens', async () => {
    const outcome = await collect(watchers());
    expect(outcome.error).toBeUndefined();
    expect(outcome.completed).toBe(true);
    expect(outcome.values.filter((p) => p.done)).toHaveLength(8);
    expect(server.requests.length).toBeGreaterThanOrEqual(20);
    expect(sharedConnections(server.requests)).toEqual([]);
    expect(server.requests.every((r) => r.actedAs === r.sent)).toBe(true);
  });

  it('the same watchers over one deliberately shared connection act as the wrong account and fail with 1901', async () => {
    const shared = new Agent({ connections: 1 });
    const sharedFetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, { ...init, dispatcher: shared } as RequestInit);
    try {
      const outcome = await collect(watchers(sharedFetch));
      expect(outcome.error).toBeInstanceOf(PCloudApiError);
      expect((outcome.error as PCloudApiError).code).toBe(1901);
      expect(sharedConnections(server.requests)).not.toEqual([]);
      expect(server.requests.some((r) => r.actedAs !== r.sent)).toBe(true);
    } finally {
      await shared.close();
    }
  });

  it('requests without credentials (currentserver) never use a connection a credential uses', async () => {
    const anonymous = accountFetch({});
    const a = accountFetch({ auth: tokenA });
    const post = (fetch: typeof globalThis.fetch, method: string, auth?: string) =>
      fetch(`${server.url}/${method}`, { method: 'POST', body: new URLSearchParams(auth ? { auth } : {}) }).then((r) => r.json());
    for (let i = 0; i < 3; i += 1) {
      await post(anonymous, 'currentserver');
      await post(a, 'userinfo', tokenA);
    }
    const anonymousConnections = new Set(server.requests.filter((r) => r.sent === '').map((r) => r.connection));
    const aConnections = new Set(server.requests.filter((r) => r.sent === tokenA).map((r) => r.connection));
    expect([...anonymousConnections].filter((c) => aConnections.has(c))).toEqual([]);
    // Each keeps its own connection alive between requests: a pool, not a connection per request.
    expect(anonymousConnections.size).toBe(1);
    expect(aConnections.size).toBe(1);
  });

  it('closes a pool once it idles, and a later request opens a new one', async () => {
    const a = accountFetch({ accessToken: tokenA });
    sweepIdlePools(Date.now() + POOL_IDLE_MS);
    expect(openPoolCount()).toBe(0);
    await (await a(`${server.url}/userinfo`, { method: 'POST', headers: { authorization: `Bearer ${tokenA}` } })).json();
    expect(openPoolCount()).toBe(1);
    // Used within the idle time: kept.
    sweepIdlePools(Date.now() + POOL_IDLE_MS / 2);
    expect(openPoolCount()).toBe(1);
    sweepIdlePools(Date.now() + POOL_IDLE_MS);
    expect(openPoolCount()).toBe(0);
    await (await a(`${server.url}/userinfo`, { method: 'POST', headers: { authorization: `Bearer ${tokenA}` } })).json();
    expect(openPoolCount()).toBe(1);
    const connections = server.requests.map((r) => r.connection);
    expect(new Set(connections).size).toBe(2);
  });

  it('accountFetch refuses malformed credentials with a TypeError that quotes no token', () => {
    expect(() => accountFetch({ auth: tokenA, accessToken: tokenB })).toThrow(/either auth or accessToken/);
    expect(() => accountFetch({ auth: `${tokenA} ` })).toThrow(TypeError);
    expect(() => accountFetch({ auth: `${tokenA} ` })).not.toThrow(new RegExp(tokenA));
  });
});
