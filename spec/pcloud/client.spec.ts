/**
 * The pCloud client over real HTTP on 127.0.0.1: errors that name the method, the host and the
 * root cause; credentials that never reach an error whatever echoes them (reason phrase, body,
 * API text, a custom fetch's message and cause); tokens that cannot be sent refused before any
 * request; hints for 2000 and 2005; the closed-connection case.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { PCloudApiError, ResponseDecodeError, saveZip$, TransportError, zipProgress$ } from '../../lib/index.js';
import { apiErrorHint } from '../../lib/pcloud/hints.js';
import { startFakePCloud } from '../../lib/testing/index.js';
import { collect } from '../support/collect.js';
import { listenLoopback } from '../support/listen-loopback.js';
import { thrownBy } from '../support/thrown.js';

const FAST = { initialDelay: 1, maxDelay: 5, jitter: 'none' } as const;

/** A raw server on 127.0.0.1:0 answering every request with `handler`. */
async function rawServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    req.resume();
    req.on('end', () => {
      handler(req, res);
    });
  });
  const { url, close } = await listenLoopback(server);
  return {
    url,
    server,
    requests: () => count,
    close,
  };
}

/** Every text of an error a person or a log could see, the whole cause chain included. */
const texts = (error: unknown): string => {
  const parts = [inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error) ?? ''];
  for (let link = error, depth = 0; link instanceof Error && depth < 20; link = link.cause, depth += 1) parts.push(link.message, link.stack ?? '', String(link));
  return parts.join('\n');
};

/** The spellings a careless server or proxy uses, each of which must be gone. */
const spellingsOf = (token: string): string[] => {
  const json = JSON.stringify(token).slice(1, -1);
  const uri = encodeURIComponent(token);
  return [token, uri, uri.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()), new URLSearchParams({ t: token }).toString().slice(2), json, json.replace(/\//g, '\\/')];
};

/** Random per-character spelling of `token`, ASCII only (it must fit in a reason phrase). */
const asciiSpelled = (token: string): fc.Arbitrary<string> =>
  fc.array(fc.tuple(fc.nat(3), fc.boolean()), { minLength: Array.from(token).length, maxLength: Array.from(token).length }).map((choices) =>
    Array.from(token)
      .map((char, i) => {
        const [pick, upper] = choices[i]!;
        const hex = (n: number, w: number): string => (upper ? n.toString(16).toUpperCase() : n.toString(16)).padStart(w, '0');
        const ascii = char.charCodeAt(0) > 0x20 && char.charCodeAt(0) < 0x7f;
        if (pick === 0 && ascii) return char;
        if (pick === 1 || !ascii) return [...Buffer.from(char)].map((b) => `%${hex(b, 2)}`).join('');
        if (pick === 2) return Array.from({ length: char.length }, (_, k) => `\\u${hex(char.charCodeAt(k), 4)}`).join('');
        return char === '/' ? '\\/' : encodeURIComponent(char);
      })
      .join(''),
  );

/** Tokens validateCredentials accepts, for either kind (Latin-1 for the header). */
const tokenArb = fc
  .oneof(fc.string({ minLength: 10, maxLength: 40 }), fc.string({ minLength: 10, maxLength: 30, unit: 'binary-ascii' }), fc.constantFrom("SeCrEt/TOK~en!(x)*'q9", 'üñî-çødé-tøkën-ÿ'))
  .filter((t) => !/[\s\p{Cc}\u0100-\uffff]/u.test(t));

describe('error messages name the method, the host and the root cause', () => {
  it('a refused connection: host, method, ECONNREFUSED and the outer text', async () => {
    const gone = await rawServer(() => undefined);
    await gone.close();
    const { error } = await collect(zipProgress$({ progresshash: 'h', apiUrl: gone.url, auth: 'tok', maxRetries: 0, backoff: FAST }));
    expect(error).toBeInstanceOf(TransportError);
    const { message } = error as TransportError;
    expect(message).toContain('savezipprogress');
    expect(message).toContain(new URL(gone.url).host);
    expect(message).toMatch(/network failure at 127\.0\.0\.1:\d+: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(fetch failed\)/);
  });

  it("fetch's own refusal (a blocked port) is named too", async () => {
    const { error } = await collect(zipProgress$({ progresshash: 'h', apiUrl: 'http://127.0.0.1:6000', auth: 'tok', maxRetries: 0, backoff: FAST }));
    expect((error as TransportError).message).toBe('pCloud savezipprogress: network failure at 127.0.0.1:6000: bad port (fetch failed)');
  });

  it('HTTP errors and redirects name the host', async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(502, 'Bad Gateway');
      res.end('<html>502</html>');
    });
    try {
      const { error } = await collect(zipProgress$({ progresshash: 'h', apiUrl: server.url, auth: 'tok', maxRetries: 0, backoff: FAST }));
      expect((error as TransportError).message).toBe(`pCloud savezipprogress: HTTP 502 Bad Gateway from ${new URL(server.url).host}`);
    } finally {
      await server.close();
    }
  });

  it('a server that closes the connection on a bad request (an unknown method): TransportError after the retries, naming host and method', async () => {
    const fake = await startFakePCloud();
    try {
      const user = fake.addUser();
      // A path prefix the emulator does not serve: every call is an unknown method to it.
      const { error } = await collect(zipProgress$({ progresshash: 'h', apiUrl: `${fake.url}/v9`, auth: user.auth, maxRetries: 2, backoff: FAST }));
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ kind: 'network', method: 'savezipprogress', transient: true });
      expect((error as Error).message).toContain(`savezipprogress: network failure at ${new URL(fake.url).host}`);
      expect(fake.requests.filter((r) => r.method === 'v9/savezipprogress')).toHaveLength(3);
      expect(texts(error)).not.toContain(user.auth);
    } finally {
      await fake.close();
    }
  });
});

describe('hints', () => {
  it('2000 Log in failed says: wrong or expired token, or the other region', async () => {
    const fake = await startFakePCloud();
    try {
      const { error } = await collect(zipProgress$({ progresshash: 'h', apiUrl: fake.url, auth: 'expired-token', maxRetries: 0, backoff: FAST }));
      expect(error).toBeInstanceOf(PCloudApiError);
      expect((error as Error).message).toBe(
        'pCloud savezipprogress failed with 2000: Log in failed. Hint: the token is wrong or expired, or it is an EU account on the US host (use apiUrl https://eapi.pcloud.com).',
      );
    } finally {
      await fake.close();
    }
    expect(apiErrorHint({ code: 2000, method: 'savezip', host: 'eapi.pcloud.com', params: {} })).toContain('a US account on the EU host (use apiUrl https://api.pcloud.com)');
    expect(apiErrorHint({ code: 2094, method: 'savezip', host: 'api.pcloud.com', params: {} })).toContain('https://eapi.pcloud.com');
    expect(apiErrorHint({ code: 2003, method: 'savezip', host: 'api.pcloud.com', params: {} })).toBeUndefined();
  });

  it('2005 on savezip names the directories it could be: the tree ids and the destination', async () => {
    const fake = await startFakePCloud();
    try {
      const user = fake.addUser();
      const docs = user.mkdir('/docs');
      const base = { apiUrl: fake.url, auth: user.auth, pinServer: false, maxRetries: 0, backoff: FAST } as const;
      const missingDestination = await collect(saveZip$({ ...base, folderid: docs.folderid, topath: '/missing/dir/docs.zip' }));
      expect(missingDestination.error).toMatchObject({ name: 'PCloudApiError', code: 2005, method: 'savezip' });
      expect((missingDestination.error as Error).message).toBe(
        `pCloud savezip failed with 2005: Directory does not exist. Hint: one of these does not exist: folderid ${docs.folderid} (the tree); /missing/dir, the folder of topath /missing/dir/docs.zip (the destination).`,
      );
      const missingTree = await collect(saveZip$({ ...base, folderids: [docs.folderid, 987654], tofolderid: 0, toname: 'x.zip' }));
      expect((missingTree.error as Error).message).toContain(`Hint: one of these does not exist: folderids ${docs.folderid},987654 (the tree); tofolderid 0 (the destination).`);
    } finally {
      await fake.close();
    }
    expect(apiErrorHint({ code: 2005, method: 'listfolder', host: 'api.pcloud.com', params: { folderid: 1 } })).toBeUndefined();
  });
});

describe('credentials never reach an error', () => {
  it('the HTTP reason phrase is scrubbed (it once was copied as is)', async () => {
    const token = 'SeCrEt/TOK~en!(x)';
    const server = await rawServer((_req, res) => {
      res.writeHead(500, `bad token ${token} or ${encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())}`);
      res.end();
    });
    try {
      for (const credential of [{ auth: token }, { accessToken: token }]) {
        const { error } = await collect(zipProgress$({ progresshash: 'h', apiUrl: server.url, ...credential, maxRetries: 0, backoff: FAST }));
        expect(error).toMatchObject({ name: 'TransportError', kind: 'http', status: 500 });
        expect((error as Error).message).toContain('HTTP 500 bad token [redacted] or [redacted] from');
        for (const form of spellingsOf(token)) expect(texts(error)).not.toContain(form);
      }
    } finally {
      await server.close();
    }
  });

  it('a custom fetch that rejects quoting the body and the Authorization header: scrubbed message, a scrubbed copy as cause', async () => {
    const token = "q9/Zx~4!'()*";
    let original: Error | undefined;
    const proxyFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      const body = await request.text();
      const inner = Object.assign(new Error(`upstream said no to ${JSON.stringify({ body })}`), { code: `E${token}` });
      original = new Error(`proxy refused ${body} with ${request.headers.get('authorization') ?? ''}`, { cause: inner });
      throw original;
    };
    for (const credential of [{ auth: token }, { accessToken: token }]) {
      const { error } = await collect(zipProgress$({ progresshash: 'h', apiUrl: 'https://api.pcloud.com', ...credential, fetch: proxyFetch, maxRetries: 0, backoff: FAST }));
      expect(error).toMatchObject({ name: 'TransportError', kind: 'network' });
      expect((error as Error).message).toContain('network failure at api.pcloud.com: ');
      expect((error as Error).cause).not.toBe(original);
      expect(((error as Error).cause as Error).message).toMatch(/^proxy refused /);
      for (const form of spellingsOf(token)) expect(texts(error)).not.toContain(form);
    }
  });

  it('property: a token echoed in any mix of spellings by the reason phrase, the API text, a bad body or a custom fetch never survives', async () => {
    let current = { spelling: '' };
    const server = await rawServer((req, res) => {
      const { spelling } = current;
      // The path prefix picks the answer: an HTTP error, an API error or a bad body.
      const kind = (req.url ?? '').split('/')[1];
      if (kind === 'savezipprogress') {
        res.writeHead(503, `token ${spelling}`);
        res.end(`upstream echo ${spelling}`);
      } else if (kind === 'api') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ result: 2000, error: `Log in failed for ${spelling}` }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"result":0,"files":"${spelling}"`);
      }
    });
    try {
      await fc.assert(
        fc.asyncProperty(tokenArb.chain((token) => fc.tuple(fc.constant(token), asciiSpelled(token), fc.constantFrom('auth', 'accessToken'), fc.constantFrom('', '/api', '/bad'))), async ([token, spelling, kind, prefix]) => {
          current = { spelling };
          const credential = kind === 'auth' ? { auth: token } : { accessToken: token };
          const viaServer = await collect(zipProgress$({ progresshash: 'h', apiUrl: `${server.url}${prefix}`, ...credential, maxRetries: 0, backoff: FAST }));
          const viaFetch = await collect(
            zipProgress$({
              progresshash: 'h',
              apiUrl: 'https://api.pcloud.com',
              ...credential,
              maxRetries: 0,
              backoff: FAST,
              fetch: () => Promise.reject(Object.assign(new Error(`refused ${spelling}`, { cause: new Error(`body ${spelling}`) }), { code: spelling })),
            }),
          );
          for (const error of [viaServer.error, viaFetch.error]) {
            expect(error).toBeInstanceOf(Error);
            const all = texts(error);
            for (const form of [spelling, ...spellingsOf(token)]) expect(all).not.toContain(form);
          }
        }),
        { numRuns: 40 },
      );
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('tokens that cannot be sent are a TypeError at call time, before any request', () => {
  it.each([
    ['a lone high surrogate in auth', { auth: 'abc\uD800def' }, /auth contains a lone UTF-16 surrogate/],
    ['a lone low surrogate in auth', { auth: '\uDC00abc' }, /auth contains a lone UTF-16 surrogate/],
    ['a lone surrogate in accessToken', { accessToken: 'abc\uDBFF' }, /accessToken contains a lone UTF-16 surrogate/],
    ['a non-Latin-1 character in accessToken', { accessToken: 'tok€n' }, /accessToken contains characters that cannot be sent in an HTTP header/],
    ['an emoji in accessToken', { accessToken: 'tok😀n' }, /accessToken contains characters that cannot be sent/],
    ['a control character in accessToken', { accessToken: 'tok\u0085n' }, /accessToken contains white space or control characters/],
  ] as const)('%s', (_name, credential, message) => {
    let requests = 0;
    const fetch = (): Promise<Response> => {
      requests += 1;
      return Promise.reject(new Error('must not be called'));
    };
    for (const start of [() => zipProgress$({ progresshash: 'h', ...credential, fetch }), () => saveZip$({ folderid: 1, topath: '/a.zip', ...credential, fetch })]) {
      const thrown = thrownBy(start);
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(message);
    }
    expect(requests).toBe(0);
  });

  it('Latin-1 and any well-formed Unicode in auth are fine', () => {
    expect(() => zipProgress$({ progresshash: 'h', accessToken: 'tök€'.slice(0, 3) })).not.toThrow();
    expect(() => zipProgress$({ progresshash: 'h', auth: 'tök€n😀' })).not.toThrow();
  });
});

describe('a bad body is still decoded as one', () => {
  it('ResponseDecodeError is not retried', async () => {
    const server = await rawServer((_req, res) => {
      res.end('not json');
    });
    try {
      const { error } = await collect(zipProgress$({ progresshash: 'h', apiUrl: server.url, auth: 'tok', maxRetries: 3, backoff: FAST }));
      expect(error).toBeInstanceOf(ResponseDecodeError);
      expect(server.requests()).toBe(1);
    } finally {
      await server.close();
    }
  });
});
