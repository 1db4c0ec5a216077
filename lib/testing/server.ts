/**
 * The HTTP side of the emulator: routing, CORS, credentials, faults, request log, clean shutdown.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { redact } from '../redact/redact.js';
import { Connections } from './connections.js';
import type { Connection, Turn } from './connections.js';
import { ApiError } from './errors.js';
import { FaultQueues, writeFaultResponse } from './faults.js';
import type { Fault, InjectOptions } from './faults.js';
import { IdSequence } from './filesystem.js';
import { METHODS, startSaveZip } from './methods.js';
import { parseRequest } from './params.js';
import type { ParsedRequest } from './params.js';
import { formatLogLine, redactParams } from './request-log.js';
import type { RecordedRequest } from './request-log.js';
import { TimerBag, TimersClearedError } from './timers.js';
import { UserDirectory } from './users.js';
import type { AddUserOptions, FakeUser, UserState } from './users.js';
import { ZipAbortedError, ZipJobs } from './zip-jobs.js';
import { newStartZipHash } from './start-zip.js';
import type { ZipJobInfo } from './zip-jobs.js';

/**
 * Options of {@link startFakePCloud}.
 *
 * @example
 * const fake = await startFakePCloud({ bytesPerSecond: 1_000_000, finishedJobTtlMs: 500 });
 */
export interface FakePCloudOptions {
  /** TCP port; default 0 (an ephemeral port). */
  port?: number;
  /** Interface to bind; default '127.0.0.1' (loopback only). */
  host?: string;
  /** What `currentserver` returns as `hostname`; default '127.0.0.1'. */
  hostname?: string;
  /** Zipping speed in uncompressed bytes per second; default Infinity (still one loop turn per file). */
  bytesPerSecond?: number;
  /** How long a finished job's progress stays readable; default 60_000 ms. */
  finishedJobTtlMs?: number;
  /** Receives one line per request (and server events); never a credential. */
  log?: (line: string) => void;
  /**
   * What a `savezip` whose client hangs up before the answer does to its zip: `'continue'`
   * (default: the zip goes on and is stored, as a pCloud job outlives its connection) or
   * `'abort'` (the job stops at the next file, its progress answers 1901, no zip is stored).
   */
  savezipOnDisconnect?: 'continue' | 'abort';
  /**
   * Binds each connection to its first successful login, as pCloud's api.txt says: "On a single
   * connection (i.e. keep-alive connection) you need to authenticate successfully just once. All
   * requests after that will ignore any user credentials passed and will use the ones from the
   * successful authentication." Default true. `false` makes every request act as its own
   * credential's user, for a test that is not about accounts and cannot give each one its own
   * connection.
   */
  bindConnections?: boolean;
}

/**
 * A running emulator.
 *
 * @example
 * const fake = await startFakePCloud();
 * const user = fake.addUser();
 * const res = await fetch(`${fake.url}/userinfo`, { method: 'POST', body: new URLSearchParams({ auth: user.auth }) });
 * await fake.close();
 */
export interface FakePCloud {
  /** Base URL, e.g. 'http://127.0.0.1:41234' (no trailing slash). */
  readonly url: string;
  /** Stops listening, destroys open connections, clears every timer; idempotent. */
  close(): Promise<void>;
  /** Creates a user with random tokens unless given. */
  addUser(opts?: AddUserOptions): FakeUser;
  /** Queues a fault for the next `times` (default 1) requests of `method`. */
  inject(method: string, fault: Fault, opts?: InjectOptions): void;
  /** Forgets every queued fault. */
  clearFaults(): void;
  /** Every request that arrived, in order (live array; entries update when a client aborts). */
  readonly requests: RecordedRequest[];
  /** Every savezip job so far, for assertions. */
  jobs(): readonly ZipJobInfo[];
  /**
   * Starts a zip job as if another client had called `savezip` for `user` with `params` (its
   * tree, destination and `progresshash`; a random hash when none) and hung up: the job runs and
   * stores its zip, and `savezipprogress` reports it. Returns its `progresshash`. Throws an Error
   * carrying pCloud's code (2004, 2005, ...) when `savezip` would refuse the params.
   *
   * @example
   * const progresshash = fake.startZip(user, { folderid: 0, topath: '/backup.zip' });
   */
  startZip(user: FakeUser, params: Readonly<Record<string, string | number>>): string;
  /** Sockets currently open (leak tests). */
  openConnections(): number;
}

const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, OPTIONS',
  // Lets browser clients read Retry-After from injected 429/503 answers, and X-Error like pCloud's.
  'Access-Control-Expose-Headers': 'Retry-After, X-Error',
  'Access-Control-Max-Age': '600',
};

/**
 * Whether the client takes a gzip answer (`Accept-Encoding: gzip`, not refused with `q=0`).
 * api.txt: the server "may in some cases send compressed content if the client indicates support";
 * which cases is not documented, so the emulator compresses every answer the client accepts
 * compressed, and clients are tested on the compressed path (unverified live).
 */
function acceptsGzip(header: string | undefined): boolean {
  return header !== undefined && /(^|,)\s*gzip\s*(,|;(?!\s*q=0(\.0*)?\s*(,|$))|$)/i.test(header);
}

function sendJson(res: ServerResponse, body: Record<string, unknown>, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = Buffer.from(JSON.stringify(body));
  const gzip = acceptsGzip(res.req.headers['accept-encoding']);
  const payload = gzip ? gzipSync(text) : text;
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': payload.byteLength,
    Vary: 'Accept-Encoding',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    ...headers,
  });
  res.end(payload);
}

/**
 * Answers an API-level failure the pCloud way: HTTP 200 `{"result":code,"error":text}` with the
 * header `X-Error: <code>`; returns the log outcome.
 */
function sendApiError(res: ServerResponse, error: ApiError): string {
  sendJson(res, { result: error.code, error: error.text }, { 'X-Error': String(error.code) });
  return `200 result=${error.code}`;
}

function validateOptions(options: FakePCloudOptions): void {
  const { bytesPerSecond, finishedJobTtlMs, port } = options;
  if (bytesPerSecond !== undefined && !(bytesPerSecond > 0)) throw new RangeError(`bytesPerSecond must be > 0, got ${bytesPerSecond}`);
  if (finishedJobTtlMs !== undefined && !(finishedJobTtlMs >= 0 && Number.isFinite(finishedJobTtlMs))) throw new RangeError(`finishedJobTtlMs must be a finite number >= 0, got ${finishedJobTtlMs}`);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new RangeError(`port must be an integer in 0..65535, got ${port}`);
  const { savezipOnDisconnect } = options;
  if (savezipOnDisconnect !== undefined && savezipOnDisconnect !== 'continue' && savezipOnDisconnect !== 'abort') {
    throw new RangeError(`savezipOnDisconnect must be 'continue' or 'abort', got ${String(savezipOnDisconnect)}`);
  }
  const { bindConnections } = options;
  if (bindConnections !== undefined && typeof bindConnections !== 'boolean') throw new TypeError(`bindConnections must be a boolean, got ${String(bindConnections)}`);
}

/**
 * Starts a local pCloud emulator on 127.0.0.1 (Node only).
 *
 * Authentication: `auth` wins over `access_token`, which wins over `Authorization: Bearer`; none ->
 * 1000, unknown auth -> 2000, unknown access token -> 2094. Parameters come from the query
 * string, the form body and the `Cookie` header, later ones winning, as pCloud reads them. Every
 * API error carries the header `X-Error: <code>`. Faults are consumed before authentication and
 * before the method runs; OPTIONS preflights (204) never consume faults. Like pCloud, the server
 * closes the connection without an answer on a bad request: an unknown method, a body that cannot
 * be read or decoded, or malformed HTTP.
 *
 * One connection, one account (unless `bindConnections: false`): the first request on a TCP
 * connection whose credential authenticates binds the connection to that user, and every later
 * request on it acts as that user, whatever credential it carries (another user's, an unknown one,
 * or none), as pCloud's api.txt says: "On a single connection (i.e. keep-alive connection) you need
 * to authenticate successfully just once. All requests after that will ignore any user credentials
 * passed and will use the ones from the successful authentication." A failed login (1000, 2000,
 * 2094) binds nothing. Pipelined requests bind in arrival order. A valid credential on a method
 * that needs no login (`currentserver`) binds too: a credential may accompany any method (api.txt:
 * "Some parameters can be bundled with all methods"), and api.txt binds on a successful
 * authentication, not only on one the method required. This is the stricter of the two readings,
 * unverified against live pCloud: a client that sends a credentialed `currentserver` over a
 * connection it then shares with another account is caught here, not in production. A missing or
 * unknown credential on such a method binds nothing and is ignored, as before.
 * `requests[i].userid` and `.connection` say which user each request acted as, and on which
 * connection.
 *
 * @example
 * const fake = await startFakePCloud({ bytesPerSecond: 10_000 });
 * const user = fake.addUser();
 * const dir = user.mkdir('/photos');
 * user.writeFile('/photos/a.jpg', 'jpeg bytes');
 * fake.inject('savezipprogress', { type: 'api-error', code: 5000 });
 * // ...drive the code under test against fake.url...
 * await fake.close();
 */
export async function startFakePCloud(options: FakePCloudOptions = {}): Promise<FakePCloud> {
  validateOptions(options);
  const host = options.host ?? '127.0.0.1';
  const hostname = options.hostname ?? '127.0.0.1';
  const log = options.log;
  const timers = new TimerBag();
  const users = new UserDirectory(new IdSequence());
  const jobs = new ZipJobs({ timers, bytesPerSecond: options.bytesPerSecond ?? Infinity, finishedJobTtlMs: options.finishedJobTtlMs ?? 60_000 });
  const faults = new FaultQueues();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const connections = new Connections();
  const bindConnections = options.bindConnections ?? true;
  let closing: Promise<void> | undefined;

  /** The credential's user; where a login is required, 1000, 2000 or 2094 instead of none. */
  const authenticate = (request: ParsedRequest, required: boolean): UserState | undefined => {
    const { credential } = request;
    if (credential === undefined) {
      if (required) throw new ApiError(1000);
      return undefined;
    }
    const user = credential.kind === 'auth' ? users.byAuth(credential.token) : users.byAccessToken(credential.token);
    if (user === undefined && required) throw new ApiError(credential.kind === 'auth' ? 2000 : 2094);
    return user;
  };

  /** Who a request acts as: its connection's user once bound, else its credential's (which binds). */
  const actAs = (connection: Connection, request: ParsedRequest, required: boolean): UserState | undefined => {
    if (connection.bound !== undefined) return connection.bound;
    const user = authenticate(request, required);
    if (bindConnections && user !== undefined) connection.bound = user;
    return user;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const connection = connections.of(req.socket);
    // Taken on arrival, so that pipelined requests authenticate in the order they were sent.
    const turn = connection.turn();
    try {
      await serve(req, res, connection, turn);
    } finally {
      turn.done();
    }
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, connection: Connection, turn: Turn): Promise<void> => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://fake-pcloud.invalid');
    const method = url.pathname.slice(1);
    let secrets = users.secrets();
    const record: RecordedRequest = {
      method: redact(method, secrets),
      httpMethod: req.method ?? 'GET',
      params: {},
      credentials: 'none',
      connection: connection.id,
      at: started,
      aborted: false,
    };
    if (req.headers['content-type'] !== undefined) record.contentType = req.headers['content-type'];
    requests.push(record);
    let outcome = 'no answer';
    let serverDropped = false;
    const disconnected = new AbortController();
    res.on('close', () => {
      // Closed before the answer was complete, and not by us: the client gave up.
      if (!res.writableFinished && !serverDropped && closing === undefined) {
        record.aborted = true;
        disconnected.abort();
      }
      log?.(redact(formatLogLine(record, outcome, Date.now() - started), secrets));
    });
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);

    if (req.method === 'OPTIONS') {
      outcome = '204 preflight';
      res.writeHead(204);
      res.end();
      return;
    }

    let request: ParsedRequest;
    try {
      request = await parseRequest(req, url);
    } catch {
      // The client vanished mid-body, or sent a body that cannot be decoded: pCloud closes the
      // connection on a malformed request.
      outcome = 'closed: unreadable body';
      serverDropped = true;
      req.socket.destroy();
      return;
    }
    // Also scrub this request's own token, which may be a wrong one no user owns.
    if (request.credential !== undefined) secrets = [...secrets, request.credential.token];
    record.method = redact(method, secrets);
    record.params = redactParams(request.params);
    record.credentials = request.credentialsAt;

    const fault: Fault | undefined = faults.take(method);
    let registrationDelayMs = 0;
    if (fault !== undefined) {
      switch (fault.type) {
        case 'latency':
          try {
            await timers.sleep(fault.ms);
          } catch {
            return; // server closing
          }
          break;
        case 'hang':
          outcome = 'fault=hang';
          return;
        case 'drop':
          outcome = 'fault=drop';
          serverDropped = true;
          req.socket.destroy();
          return;
        case 'delay-registration':
          registrationDelayMs = fault.ms;
          break;
        case 'api-error':
          outcome = `${sendApiError(res, new ApiError(fault.code, fault.error))} fault=api-error`;
          return;
        default:
          outcome = writeFaultResponse(res, fault);
          return;
      }
    }

    const spec = METHODS.get(method);
    if (spec === undefined) {
      // pCloud closes the connection on a method that does not exist, without an answer.
      outcome = 'closed: unknown method';
      serverDropped = true;
      req.socket.destroy();
      return;
    }
    try {
      await turn.ready;
      const user = actAs(connection, request, spec.auth);
      turn.done(); // the method itself may run alongside later requests' logins
      if (user !== undefined) record.userid = user.user.userid;
      const body = await spec.handle({
        request,
        user,
        hostname,
        jobs,
        registrationDelayMs,
        disconnected: disconnected.signal,
        savezipOnDisconnect: options.savezipOnDisconnect ?? 'continue',
      });
      outcome = '200 result=0';
      sendJson(res, { result: 0, ...body });
    } catch (error) {
      if (error instanceof TimersClearedError) return; // server closing: the socket is gone anyway
      if (error instanceof ZipAbortedError) return; // the client hung up: nobody to answer
      if (error instanceof ApiError) {
        outcome = sendApiError(res, error);
        return;
      }
      log?.(`fake pCloud: /${method} failed: ${error instanceof Error ? error.message : String(error)}`);
      outcome = `${sendApiError(res, new ApiError(5000))} handler failure`;
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  // Malformed HTTP: closed without an answer, as pCloud does (Node would answer 400 first).
  server.on('clientError', (_error, socket: Socket) => {
    socket.destroy();
  });
  server.on('connection', (socket: Socket) => {
    connections.of(socket); // numbered in accept order
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake pCloud: unexpected server address');
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log?.(`fake pCloud listening on ${url}`);

  return {
    url,
    requests,
    close: () => {
      closing ??= (async () => {
        timers.clearAll();
        const serverClosed = new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        });
        // The server's callback can run before the sockets' own 'close' events: wait for both,
        // so openConnections() is 0 once close() resolves. A socket still in the set has not
        // emitted 'close' yet, so once() cannot miss it.
        const socketsClosed = [...sockets].map((socket) => new Promise<void>((resolve) => socket.once('close', () => {
          resolve();
        })));
        for (const socket of sockets) socket.destroy();
        await Promise.all([serverClosed, ...socketsClosed]);
        log?.('fake pCloud closed');
      })();
      return closing;
    },
    addUser: (opts) => users.add(opts).user,
    inject: (method, fault, opts) => {
      faults.inject(method, fault, opts);
    },
    clearFaults: () => {
      faults.clear();
    },
    jobs: () => jobs.list(),
    startZip: (user, params) => {
      const state = users.byAuth(user.auth);
      if (state?.user.userid !== user.userid) throw new TypeError('startZip needs a user of this emulator (from addUser)');
      const progresshash = params.progresshash === undefined || params.progresshash === '' ? newStartZipHash() : String(params.progresshash);
      const wire = Object.fromEntries(Object.entries({ ...params, progresshash }).map(([key, value]) => [key, typeof value === 'number' ? String(value) : value]));
      const { saved } = startSaveZip(state, jobs, wire, { registrationDelayMs: 0 });
      // Nobody waits for the answer (the other client hung up); closing the server ends it too.
      saved.catch(() => undefined);
      return progresshash;
    },
    openConnections: () => sockets.size,
  };
}
