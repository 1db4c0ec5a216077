/**
 * What the emulator remembers about each request, with every secret removed.
 */
import { REDACTED } from '../redact/redact.js';
import { CREDENTIAL_PARAMS } from './params.js';
import type { CredentialLocation } from './params.js';

/**
 * One request as it arrived. Credentials are never stored: credential parameters read
 * '[redacted]', the Authorization header is dropped, and `credentials` only says where they were.
 *
 * @example
 * const polls = fake.requests.filter((r: RecordedRequest) => r.method === 'savezipprogress');
 * expect(polls.every((r) => r.credentials !== 'query')).toBe(true);
 */
export interface RecordedRequest {
  /** pCloud method name (the URL path without its '/'), e.g. 'savezipprogress'. */
  method: string;
  /** 'GET', 'POST', 'PUT', 'OPTIONS'... */
  httpMethod: string;
  /** Query and form parameters; credential values replaced by '[redacted]'. */
  params: Record<string, string>;
  /** The request's Content-Type header, if it had one. */
  contentType?: string;
  /** Where the credential came from (query, body, header) or 'none'; never its value. */
  credentials: CredentialLocation;
  /**
   * The user the request's method acted as: its connection's bound user, or the one its own
   * credential authenticated. Undefined when it acted as nobody: no or an unknown credential on a
   * method that needs no login, a failed login, or a request that never reached its method (a
   * preflight, a fault, a connection closed on a bad request).
   */
  userid?: number;
  /** Which TCP connection carried it: 1 for the first the emulator accepted, then 2, 3... */
  connection: number;
  /** Date.now() when the request arrived. */
  at: number;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
}

/**
 * A copy of `params` with credential values replaced.
 *
 * @example
 * redactParams({ auth: 'abc', folderid: '0' }); // { auth: '[redacted]', folderid: '0' }
 */
export function redactParams(params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) out[key] = CREDENTIAL_PARAMS.has(key) ? REDACTED : value;
  return out;
}

/**
 * One log line for a finished request: no parameter values, only names, so nothing secret leaks;
 * `user=` is the user id it acted as ('-' for nobody), `conn=` its connection's number.
 *
 * @example
 * formatLogLine(record, '200 result=0', 12); // 'POST /savezip 200 result=0 credentials=body user=1001 conn=1 params=folderid,topath 12ms'
 */
export function formatLogLine(record: RecordedRequest, outcome: string, ms: number): string {
  const names = Object.keys(record.params).filter((key) => !CREDENTIAL_PARAMS.has(key));
  const aborted = record.aborted ? ' aborted' : '';
  return `${record.httpMethod} /${record.method} ${outcome}${aborted} credentials=${record.credentials} user=${record.userid ?? '-'} conn=${record.connection} params=${names.join(',')} ${ms}ms`;
}
