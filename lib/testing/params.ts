/**
 * Reads a pCloud HTTP call: parameters from the query string, the body and cookies (in that
 * order, later ones win, as pCloud's api.txt says), uploaded files, and the credentials with the
 * place they arrived.
 */
import type { IncomingMessage } from 'node:http';

/**
 * Where a request carried its credentials. When they arrive in several places the most exposed one
 * wins (query, then body, then cookie, then header), so "never in the URL" assertions cannot be
 * fooled.
 *
 * @example
 * const where: CredentialLocation = 'body';
 */
export type CredentialLocation = 'none' | 'query' | 'body' | 'cookie' | 'header';

/**
 * The credential a request authenticates with: an `auth` session token or an OAuth access token.
 *
 * @example
 * const c: Credential = { kind: 'access_token', token: user.accessToken };
 */
export interface Credential {
  readonly kind: 'auth' | 'access_token';
  readonly token: string;
}

/**
 * A file sent to uploadfile (a multipart part, or a raw PUT body).
 *
 * @example
 * const f: UploadedFile = { name: 'a.txt', data: Buffer.from('hi') };
 */
export interface UploadedFile {
  readonly name: string;
  readonly data: Buffer;
}

/**
 * A request decoded the way pCloud reads it.
 *
 * @example
 * const parsed: ParsedRequest = await parseRequest(req, new URL(req.url ?? '/', 'http://x'));
 * parsed.params.folderid;
 */
export interface ParsedRequest {
  /** Query, body and cookie parameters merged, later ones winning (a cookie over the body over the query). Not redacted. */
  readonly params: Readonly<Record<string, string>>;
  /** Files of a multipart body. */
  readonly files: readonly UploadedFile[];
  /** The body of a PUT that is neither form kind (uploadfile's raw upload). */
  readonly rawBody: Buffer | undefined;
  readonly credential: Credential | undefined;
  readonly credentialsAt: CredentialLocation;
}

/**
 * Parameter names that carry secrets; they are never recorded nor logged.
 *
 * @example
 * CREDENTIAL_PARAMS.has('auth'); // true
 */
export const CREDENTIAL_PARAMS: ReadonlySet<string> = new Set(['auth', 'access_token', 'password', 'passworddigest']);

function hasCredential(keys: Iterable<string>): boolean {
  for (const key of keys) if (CREDENTIAL_PARAMS.has(key)) return true;
  return false;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `name=value` pairs of a Cookie header; values percent-decoded when they can be. */
function cookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const raw = pair.slice(at + 1).trim().replace(/^"(.*)"$/, '$1');
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // not percent-encoded: kept as sent
    }
    if (name !== '') out[name] = value;
  }
  return out;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Decodes one request. Form bodies (`application/x-www-form-urlencoded`, `multipart/form-data`)
 * are read on any HTTP method; other bodies are kept raw only for PUT.
 *
 * @example
 * const { params, credential, credentialsAt } = await parseRequest(req, url);
 */
export async function parseRequest(req: IncomingMessage, url: URL): Promise<ParsedRequest> {
  const contentType = req.headers['content-type'];
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const query: Record<string, string> = Object.fromEntries(url.searchParams);
  const body: Record<string, string> = {};
  const files: UploadedFile[] = [];
  let rawBody: Buffer | undefined;

  // A request without a body simply yields no chunks.
  const bytes = await readBody(req);
  if (bytes.length > 0) {
    if (mediaType === 'application/x-www-form-urlencoded') {
      for (const [key, value] of new URLSearchParams(bytes.toString('utf8'))) body[key] = value;
    } else if (mediaType === 'multipart/form-data') {
      // undici's multipart parser, through a Response, spares a hand-written one.
      const form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': contentType ?? '' } }).formData();
      for (const [key, value] of form) {
        if (typeof value === 'string') body[key] = value;
        else files.push({ name: value.name, data: Buffer.from(await value.arrayBuffer()) });
      }
    } else if (req.method === 'PUT') {
      rawBody = bytes;
    }
  }

  const cookie = cookies(req.headers.cookie);
  const params = { ...query, ...body, ...cookie };
  const header = bearerToken(req.headers.authorization);
  let credential: Credential | undefined;
  if (params.auth !== undefined) credential = { kind: 'auth', token: params.auth };
  else if (params.access_token !== undefined) credential = { kind: 'access_token', token: params.access_token };
  else if (header !== undefined) credential = { kind: 'access_token', token: header };

  let credentialsAt: CredentialLocation = 'none';
  if (hasCredential(Object.keys(query))) credentialsAt = 'query';
  else if (hasCredential(Object.keys(body))) credentialsAt = 'body';
  else if (hasCredential(Object.keys(cookie))) credentialsAt = 'cookie';
  else if (req.headers.authorization !== undefined) credentialsAt = 'header';

  return { params, files, rawBody, credential, credentialsAt };
}
