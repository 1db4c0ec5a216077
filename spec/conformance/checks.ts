/**
 * The contract: one check per pCloud behaviour the library relies on, each with its source. A check
 * returns a one-line account of what it saw, throws {@link CheckFailed} when the behaviour does not
 * hold, or {@link CheckSkipped} when the target cannot show it (e.g. no second account).
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { call, credentialParams, oneConnection, resultOf } from './http.js';
import type { Answer, OneConnection } from './http.js';
import type { ConformanceTarget } from './target.js';
import type { ZipRun } from './zip-run.js';

/** The behaviour does not hold; the message says what was seen instead. */
export class CheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailed';
  }
}

/** The target cannot show the behaviour (missing account, region, ...); the message says why. */
export class CheckSkipped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckSkipped';
  }
}

/** What a check gets: the target, and the zip run (or why it could not be made). */
export interface CheckContext {
  readonly target: ConformanceTarget;
  readonly zip: ZipRun | Error;
}

/** One behaviour of the contract. */
export interface Check {
  /** Stable id, used by the report and the fidelity table. */
  readonly id: string;
  /** The behaviour, in one sentence. */
  readonly behaviour: string;
  /** Where pCloud says so. */
  readonly source: string;
  readonly run: (ctx: CheckContext) => Promise<string>;
}

function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

function zipOf(ctx: CheckContext): ZipRun {
  if (ctx.zip instanceof Error) throw new CheckFailed(`the zip run failed: ${ctx.zip.message}`);
  return ctx.zip;
}

/** `result` and `error` of an answer, for messages. */
function said(answer: Answer): string {
  const error = typeof answer.body.error === 'string' ? ` "${answer.body.error}"` : '';
  return `HTTP ${answer.status}, result ${String(answer.body.result)}${error}`;
}

/** Runs `fn` with fresh single connections, closed afterwards. */
async function withConnections<T>(count: number, fn: (...connections: OneConnection[]) => Promise<T>): Promise<T> {
  const connections = Array.from({ length: count }, () => oneConnection());
  try {
    return await fn(...connections);
  } finally {
    await Promise.all(connections.map((c) => c.close()));
  }
}

/** An error answer the pCloud way: HTTP 200, `{result: code, error: text}`, `X-Error: code`. */
function expectApiError(answer: Answer, code: number, what: string): void {
  expectThat(resultOf(answer) === code, `${what}: expected result ${code}, got ${said(answer)}`);
  expectThat(answer.status === 200, `${what}: expected HTTP 200, got ${answer.status}`);
  expectThat(typeof answer.body.error === 'string' && answer.body.error !== '', `${what}: no "error" text`);
  expectThat(answer.headers.get('x-error') === String(code), `${what}: X-Error header is ${answer.headers.get('x-error') ?? 'missing'}, expected ${code}`);
}

function unknownToken(): string {
  return `conformance-unknown-${randomBytes(12).toString('hex')}`;
}

async function userid(ctx: CheckContext, connection: OneConnection, params: Record<string, string>): Promise<number> {
  const answer = await call(ctx.target.apiUrl, 'userinfo', { body: params, dispatcher: connection.dispatcher });
  expectThat(resultOf(answer) === 0, `userinfo: ${said(answer)}`);
  expectThat(typeof answer.body.userid === 'number', 'userinfo gave no userid');
  return answer.body.userid;
}

/** Metadata fields of the saved zip that the library reads. */
function expectZipMetadata(metadata: unknown, zip: ZipRun, what: string): string {
  expectThat(typeof metadata === 'object' && metadata !== null, `${what}: no metadata`);
  const m = metadata as Record<string, unknown>;
  expectThat(m.name === zip.zipName, `${what}: name is ${JSON.stringify(m.name)}, expected ${zip.zipName}`);
  expectThat(typeof m.size === 'number' && m.size > 0, `${what}: size is ${JSON.stringify(m.size)}, expected a number > 0`);
  expectThat(m.contenttype === 'application/zip', `${what}: contenttype is ${JSON.stringify(m.contenttype)}, expected application/zip`);
  expectThat(m.isfolder === false, `${what}: isfolder is ${JSON.stringify(m.isfolder)}`);
  expectThat(typeof m.fileid === 'number', `${what}: no numeric fileid`);
  return `name ${zip.zipName}, size ${String(m.size)}, contenttype application/zip`;
}

const API_TXT = 'pclouddoc api.txt';

/** The contract, in report order. */
export const CHECKS: readonly Check[] = [
  {
    id: 'currentserver',
    behaviour: '`currentserver` without credentials answers result 0 with `hostname` and `ip`',
    source: 'currentserver method page',
    run: async (ctx) => {
      const answer = await withConnections(1, (c) => call(ctx.target.apiUrl, 'currentserver', { dispatcher: c.dispatcher }));
      expectThat(resultOf(answer) === 0, `currentserver: ${said(answer)}`);
      expectThat(typeof answer.body.hostname === 'string' && answer.body.hostname !== '', 'no hostname');
      expectThat(typeof answer.body.ip === 'string' && answer.body.ip !== '', 'no ip');
      return `hostname ${answer.body.hostname}`;
    },
  },
  {
    id: 'pinning',
    behaviour: '`savezip` and `savezipprogress` work on the host `currentserver` names',
    source: 'currentserver method page; savezipprogress page is silent [?]',
    run: async (ctx) => {
      const zip = zipOf(ctx);
      expectThat(resultOf(zip.save) === 0, `savezip on ${new URL(zip.pinnedUrl).host}: ${said(zip.save)}`);
      const answered = zip.polls.filter((p) => p.result === 0).length;
      expectThat(answered > 0, `no savezipprogress on ${new URL(zip.pinnedUrl).host} answered result 0`);
      return `savezip and ${answered} progress answers on ${new URL(zip.pinnedUrl).host}`;
    },
  },
  {
    id: 'savezip-answer',
    behaviour: '`savezip` answers when the zip exists, with its metadata',
    source: 'savezip method page',
    run: async (ctx) => {
      const zip = zipOf(ctx);
      expectThat(resultOf(zip.save) === 0, `savezip: ${said(zip.save)}`);
      return expectZipMetadata(zip.save.body.metadata, zip, 'savezip');
    },
  },
  {
    id: 'progress-before-registration',
    behaviour: '`savezipprogress` of a hash no `savezip` has used yet answers 1901',
    source: 'savezipprogress method page (1901 Zip not found)',
    run: async (ctx) => {
      expectApiError(zipOf(ctx).beforeRegistration, 1901, 'savezipprogress before savezip');
      return 'result 1901';
    },
  },
  {
    id: 'progress-sequence',
    behaviour: 'during `savezip`, `files` reaches `totalfiles` and no count goes back',
    source: 'savezipprogress method page ("ready once files equals totalfiles")',
    run: async (ctx) => {
      const zip = zipOf(ctx);
      const firstOk = zip.polls.findIndex((p) => p.result === 0);
      expectThat(firstOk >= 0, `no poll answered result 0 (results: ${zip.polls.map((p) => p.result).join(', ')})`);
      zip.polls.forEach((poll, i) => {
        expectThat(poll.result === 0 || (poll.result === 1901 && i < firstOk), `poll ${i + 1} answered result ${poll.result}`);
      });
      const answered = zip.polls.filter((p) => p.result === 0);
      for (const poll of answered) {
        for (const field of ['files', 'totalfiles', 'bytes', 'totalbytes'] as const) expectThat(typeof poll[field] === 'number', `a poll has no numeric ${field}`);
        expectThat(poll.files! <= poll.totalfiles!, `files ${poll.files} > totalfiles ${poll.totalfiles}`);
      }
      answered.slice(1).forEach((poll, i) => {
        const before = answered[i]!;
        expectThat(poll.files! >= before.files! && poll.bytes! >= before.bytes!, `counts went back: ${before.files}/${before.bytes} then ${poll.files}/${poll.bytes}`);
        expectThat(poll.totalfiles === before.totalfiles && poll.totalbytes === before.totalbytes, 'totalfiles or totalbytes changed during the job');
      });
      const last = answered.at(-1)!;
      expectThat(last.files === last.totalfiles, `the last poll shows files ${last.files} of ${last.totalfiles}`);
      const distinct = new Set(answered.map((p) => `${p.files}/${p.bytes}`)).size;
      return `${zip.polls.length} polls, ${distinct} distinct states, last ${last.files}/${last.totalfiles} files`;
    },
  },
  {
    id: 'progress-totals',
    behaviour: '`totalfiles` is the number of files zipped and `totalbytes` their size',
    source: 'savezipprogress method page (fields); their exact meaning unverified [?]',
    run: async (ctx) => {
      const zip = zipOf(ctx);
      const last = zip.polls.filter((p) => p.result === 0).at(-1);
      expectThat(last !== undefined, 'no poll answered result 0');
      const bytes = [...zip.files.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      expectThat(last.totalfiles === zip.files.size, `totalfiles ${last.totalfiles}, expected ${zip.files.size}`);
      expectThat(last.totalbytes === bytes, `totalbytes ${last.totalbytes}, expected ${bytes}`);
      return `totalfiles ${zip.files.size}, totalbytes ${bytes}`;
    },
  },
  {
    id: 'progress-unknown-hash',
    behaviour: '`savezipprogress` of an unknown hash answers 1901',
    source: 'savezipprogress method page (1901 Zip not found)',
    run: async (ctx) => {
      const answer = await withConnections(1, (c) =>
        call(ctx.target.apiUrl, 'savezipprogress', { body: { ...credentialParams(ctx.target.account), progresshash: randomBytes(16).toString('hex') }, dispatcher: c.dispatcher }),
      );
      expectApiError(answer, 1901, 'savezipprogress of an unknown hash');
      return 'result 1901';
    },
  },
  {
    id: 'error-shape',
    behaviour: 'an API error is HTTP 200 with `{result, error}` and the header `X-Error: <code>`',
    source: `${API_TXT} ("When there is an error HTTP header X-Error: xxxx is sent")`,
    run: async (ctx) => {
      const cases: Array<[string, Record<string, string>, number]> = [
        ['userinfo', {}, 1000],
        ['userinfo', { auth: unknownToken() }, 2000],
        ['savezipprogress', { ...credentialParams(ctx.target.account), progresshash: randomBytes(16).toString('hex') }, 1901],
      ];
      await withConnections(cases.length, async (...connections) => {
        for (const [i, [method, body, code]] of cases.entries()) {
          const answer = await call(ctx.target.apiUrl, method, { body, dispatcher: connections[i]!.dispatcher });
          expectApiError(answer, code, `${method} (expecting ${code})`);
        }
      });
      return 'codes 1000, 2000, 1901: HTTP 200, error text, X-Error';
    },
  },
  {
    id: 'bad-auth-2000',
    behaviour: 'an unknown `auth` token answers 2000 (Log in failed)',
    source: 'savezip and savezipprogress method pages (2000)',
    run: async (ctx) => {
      const answer = await withConnections(1, (c) => call(ctx.target.apiUrl, 'savezipprogress', { body: { auth: unknownToken(), progresshash: 'x' }, dispatcher: c.dispatcher }));
      expectApiError(answer, 2000, 'savezipprogress with an unknown auth');
      return `result 2000 "${String(answer.body.error)}"`;
    },
  },
  {
    id: 'unknown-access-token-2094',
    behaviour: 'an unknown `access_token` answers 2094 (Invalid access_token)',
    source: 'pCloud OAuth docs; public clients (2094)',
    run: async (ctx) => {
      const answer = await withConnections(1, (c) => call(ctx.target.apiUrl, 'userinfo', { body: { access_token: unknownToken() }, dispatcher: c.dispatcher }));
      expectApiError(answer, 2094, 'userinfo with an unknown access_token');
      return `result 2094 "${String(answer.body.error)}"`;
    },
  },
  {
    id: 'wrong-region-2094',
    behaviour: "account A's access token sent to the other region answers 2094",
    source: 'pCloud OAuth docs (locationid/hostname); public clients',
    run: async (ctx) => {
      const { otherRegionUrl, account } = ctx.target;
      if (otherRegionUrl === undefined) throw new CheckSkipped('no other region known for this URL (set PCLOUD_OTHER_REGION_URL)');
      if (account.accessToken === undefined) throw new CheckSkipped('needs an access token for account A (PCLOUD_ACCESS_TOKEN)');
      const answer = await withConnections(1, (c) => call(otherRegionUrl, 'userinfo', { body: { access_token: account.accessToken! }, dispatcher: c.dispatcher }));
      expectApiError(answer, 2094, `userinfo on ${new URL(otherRegionUrl).host}`);
      return `result 2094 on ${new URL(otherRegionUrl).host}`;
    },
  },
  {
    id: 'stat-zip',
    behaviour: '`stat` of the saved zip gives its name, a size > 0 and contenttype application/zip',
    source: 'stat method page; metadata in api.txt',
    run: async (ctx) => {
      const zip = zipOf(ctx);
      const answer = await withConnections(1, (c) => call(ctx.target.apiUrl, 'stat', { body: { ...credentialParams(ctx.target.account), path: zip.zipPath }, dispatcher: c.dispatcher }));
      expectThat(resultOf(answer) === 0, `stat: ${said(answer)}`);
      return expectZipMetadata(answer.body.metadata, zip, 'stat');
    },
  },
  {
    id: 'listfolder-zip',
    behaviour: '`listfolder` of the scratch folder lists the saved zip with its name, size and contenttype',
    source: 'listfolder method page; metadata in api.txt',
    run: async (ctx) => {
      const zip = zipOf(ctx);
      const answer = await withConnections(1, (c) => call(ctx.target.apiUrl, 'listfolder', { body: { ...credentialParams(ctx.target.account), path: ctx.target.scratchFolder }, dispatcher: c.dispatcher }));
      expectThat(resultOf(answer) === 0, `listfolder: ${said(answer)}`);
      const contents = (answer.body.metadata as { contents?: unknown } | undefined)?.contents;
      expectThat(Array.isArray(contents), 'listfolder: no metadata.contents');
      const entry: unknown = contents.find((item: unknown) => (item as { name?: unknown } | null)?.name === zip.zipName);
      expectThat(entry !== undefined, `listfolder: ${zip.zipName} is not listed`);
      return expectZipMetadata(entry, zip, 'listfolder');
    },
  },
  {
    id: 'login-binding',
    behaviour: "after account A authenticates on a connection, B's credentials on that connection act as A",
    source: `${API_TXT} ("On a single connection ... you need to authenticate successfully just once")`,
    run: async (ctx) => {
      const { account, accountB } = ctx.target;
      if (accountB === undefined) throw new CheckSkipped('needs a second account (PCLOUD_AUTH_B or PCLOUD_ACCESS_TOKEN_B)');
      return withConnections(3, async (a, b, shared) => {
        const idA = await userid(ctx, a, credentialParams(account));
        const idB = await userid(ctx, b, credentialParams(accountB));
        expectThat(idA !== idB, 'accounts A and B have the same userid: give two different accounts');
        await userid(ctx, shared, credentialParams(account));
        const asWhom = await userid(ctx, shared, credentialParams(accountB));
        expectThat(shared.opened() === 1, `the two requests used ${shared.opened()} connections, not one`);
        expectThat(asWhom === idA, `B's token on A's connection acted as ${asWhom === idB ? 'B' : `userid ${asWhom}`}, not as A`);
        return "B's token on A's connection acted as A";
      });
    },
  },
  {
    id: 'bad-method-closes-connection',
    behaviour: 'a method that does not exist gets no answer: the server closes the connection',
    source: `${API_TXT} ("The server will also close the connection on any bad request")`,
    run: async (ctx) =>
      withConnections(1, async (c) => {
        await call(ctx.target.apiUrl, 'currentserver', { dispatcher: c.dispatcher });
        let answered: Answer | undefined;
        try {
          answered = await call(ctx.target.apiUrl, 'conformancenosuchmethod', { dispatcher: c.dispatcher });
        } catch {
          // no HTTP answer: what pCloud documents
        }
        expectThat(answered === undefined, `an unknown method was answered: ${answered === undefined ? '' : said(answered)}`);
        await call(ctx.target.apiUrl, 'currentserver', { dispatcher: c.dispatcher });
        expectThat(c.opened() === 2, `the next request reused the connection (${c.opened()} opened)`);
        return 'no answer; the next request needed a new connection';
      }),
  },
  {
    id: 'method-error-keeps-connection',
    behaviour: 'an error of a valid method leaves the connection open',
    source: `${API_TXT} ("The connection does not close when you get the error from a valid method")`,
    run: async (ctx) =>
      withConnections(1, async (c) => {
        const credentials = credentialParams(ctx.target.account);
        const answer = await call(ctx.target.apiUrl, 'savezipprogress', { body: { ...credentials, progresshash: randomBytes(16).toString('hex') }, dispatcher: c.dispatcher });
        expectThat(resultOf(answer) !== 0, `expected an error, got ${said(answer)}`);
        const next = await call(ctx.target.apiUrl, 'currentserver', { dispatcher: c.dispatcher });
        expectThat(resultOf(next) === 0, `the next request: ${said(next)}`);
        expectThat(c.opened() === 1, `the error closed the connection (${c.opened()} opened)`);
        return `result ${resultOf(answer)}, then the same connection answered again`;
      }),
  },
  {
    id: 'params-query',
    behaviour: 'parameters are read from the query string',
    source: `${API_TXT} ("parameters are passed by either GET, POST or using a cookie")`,
    run: async (ctx) => {
      const zip = zipOf(ctx);
      const answer = await withConnections(1, (c) =>
        call(ctx.target.apiUrl, 'listfolder', { query: { path: zip.folderPath }, body: credentialParams(ctx.target.account), dispatcher: c.dispatcher }),
      );
      return expectFolder(answer, zip, 'path in the query');
    },
  },
  {
    id: 'params-body-over-query',
    behaviour: 'a form body parameter wins over the same query parameter',
    source: `${API_TXT} ("and are set in this order")`,
    run: async (ctx) => {
      const zip = zipOf(ctx);
      const answer = await withConnections(1, (c) =>
        call(ctx.target.apiUrl, 'listfolder', { query: { path: `${zip.folderPath}-missing` }, body: { ...credentialParams(ctx.target.account), path: zip.folderPath }, dispatcher: c.dispatcher }),
      );
      return expectFolder(answer, zip, 'path in the query and the body');
    },
  },
  {
    id: 'params-cookie-over-body',
    behaviour: 'a cookie parameter wins over the same body and query parameters',
    source: `${API_TXT} ("so cookie with some name will override the same GET parameter")`,
    run: async (ctx) => {
      const zip = zipOf(ctx);
      const missing = `${zip.folderPath}-missing`;
      const answer = await withConnections(1, (c) =>
        call(ctx.target.apiUrl, 'listfolder', { query: { path: missing }, body: { ...credentialParams(ctx.target.account), path: missing }, cookie: { path: zip.folderPath }, dispatcher: c.dispatcher }),
      );
      return expectFolder(answer, zip, 'path in the query, the body and a cookie');
    },
  },
  {
    id: 'gzip',
    behaviour: '`Accept-Encoding: gzip` gets a gzip answer that decodes to the same JSON',
    source: `${API_TXT} ("may in some cases send compressed content if the client indicates support")`,
    run: async (ctx) => {
      const zip = zipOf(ctx);
      const body = new URLSearchParams({ ...credentialParams(ctx.target.account), folderid: String(zip.folderid) }).toString();
      return withConnections(1, async (c) => {
        // undici's request(), not fetch: fetch would decode the body before the check could see it.
        const raw = async (encoding: string): Promise<{ encoding: string | undefined; bytes: Buffer }> => {
          const res = await c.dispatcher.request({
            origin: new URL(ctx.target.apiUrl).origin,
            path: `${new URL(ctx.target.apiUrl).pathname.replace(/\/$/, '')}/listfolder`,
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-encoding': encoding },
            body,
          });
          const header = res.headers['content-encoding'];
          return { encoding: Array.isArray(header) ? header.join(',') : header, bytes: Buffer.from(await res.body.arrayBuffer()) };
        };
        const plain = await raw('identity');
        const zipped = await raw('gzip');
        expectThat(zipped.encoding === 'gzip', `the answer to Accept-Encoding: gzip has Content-Encoding ${zipped.encoding ?? '(none)'}: not compressed`);
        const decoded: unknown = JSON.parse(gunzipSync(zipped.bytes).toString('utf8'));
        expectThat(JSON.stringify(decoded) === JSON.stringify(JSON.parse(plain.bytes.toString('utf8'))), 'the gunzipped answer differs from the plain one');
        return `gzip, ${zipped.bytes.length} bytes for ${plain.bytes.length}`;
      });
    },
  },
];

function expectFolder(answer: Answer, zip: ZipRun, what: string): string {
  expectThat(resultOf(answer) === 0, `listfolder with ${what}: ${said(answer)}`);
  const name = (answer.body.metadata as { name?: unknown } | undefined)?.name;
  expectThat(name === zip.folderName, `listfolder with ${what} listed ${JSON.stringify(name)}, expected ${zip.folderName}`);
  return `listed ${zip.folderName}`;
}
