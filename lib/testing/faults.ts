/**
 * Scripted failures: a queue per pCloud method, one fault consumed by each request of that method.
 */
import type { ServerResponse } from 'node:http';

/**
 * A failure to inject into the next request(s) of one method.
 *
 * - `latency`: wait `ms`, then answer normally.
 * - `api-error`: HTTP 200 `{"result":code,"error":text}` (text defaults to pCloud's).
 * - `http`: a non-200 answer, e.g. a proxy's 502 page or a 429 with Retry-After.
 * - `body`: HTTP 200 with a raw body (malformed JSON, an array, a huge body...).
 * - `drop`: destroy the connection without answering.
 * - `hang`: never answer (until the client aborts or the server closes).
 * - `delay-registration`: savezip only; its progress hash becomes known `ms` after the call
 *   arrives, and savezipprogress answers 1901 until then.
 *
 * @example
 * fake.inject('savezipprogress', { type: 'http', status: 429, headers: { 'Retry-After': '1' } });
 * fake.inject('savezip', { type: 'delay-registration', ms: 200 });
 */
export type Fault =
  | { type: 'latency'; ms: number }
  | { type: 'api-error'; code: number; error?: string }
  | { type: 'http'; status: number; body?: string; headers?: Record<string, string> }
  | { type: 'body'; body: string; contentType?: string }
  | { type: 'drop' }
  | { type: 'hang' }
  | { type: 'delay-registration'; ms: number };

/**
 * Options of `FakePCloud.inject`.
 *
 * @example
 * const opts: InjectOptions = { times: Infinity }; // every request of the method, until clearFaults()
 */
export interface InjectOptions {
  /** How many requests the fault applies to: a positive integer or Infinity (default 1). */
  times?: number;
}

function validate(method: string, fault: Fault, times: number): void {
  if (!(times === Infinity || (Number.isInteger(times) && times > 0))) throw new RangeError(`times must be a positive integer or Infinity, got ${times}`);
  switch (fault.type) {
    case 'latency':
    case 'delay-registration':
      if (!(Number.isFinite(fault.ms) && fault.ms >= 0)) throw new RangeError(`${fault.type} needs a finite ms >= 0, got ${fault.ms}`);
      if (fault.type === 'delay-registration' && method !== 'savezip') throw new TypeError(`delay-registration only applies to savezip, not '${method}'`);
      break;
    case 'api-error':
      if (!(Number.isInteger(fault.code) && fault.code !== 0)) throw new RangeError(`api-error needs a non-zero integer code, got ${fault.code}`);
      break;
    case 'http':
      if (!(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)) throw new RangeError(`http needs a status in 100..599, got ${fault.status}`);
      break;
    default:
      break;
  }
}

/**
 * The fault queues of one server.
 *
 * @example
 * const faults = new FaultQueues();
 * faults.inject('userinfo', { type: 'drop' }, { times: 2 });
 * faults.take('userinfo'); // { type: 'drop' }
 */
export class FaultQueues {
  readonly #queues = new Map<string, Array<{ fault: Fault; remaining: number }>>();

  /** Appends a fault for `method`; throws on an invalid fault rather than misbehaving later. */
  inject(method: string, fault: Fault, opts: InjectOptions = {}): void {
    const times = opts.times ?? 1;
    validate(method, fault, times);
    const queue = this.#queues.get(method) ?? [];
    queue.push({ fault: { ...fault }, remaining: times });
    this.#queues.set(method, queue);
  }

  /** Consumes the next fault for `method`, if any. */
  take(method: string): Fault | undefined {
    const queue = this.#queues.get(method);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    if (queue.length === 0) this.#queues.delete(method);
    return head.fault;
  }

  /** Forgets every queued fault. */
  clear(): void {
    this.#queues.clear();
  }
}

/**
 * Writes the answer of a non-JSON-API fault (`http`, `body`); headers already set on `res` (CORS)
 * are kept. Returns a short description for the log. (`api-error` goes through the server's
 * ApiError answer, like the methods' own errors.)
 *
 * @example
 * writeFaultResponse(res, { type: 'http', status: 502 }); // '502 fault=http'
 */
export function writeFaultResponse(res: ServerResponse, fault: Extract<Fault, { type: 'http' | 'body' }>): string {
  switch (fault.type) {
    case 'http': {
      const body = fault.body ?? `<html><head><title>${fault.status}</title></head><body><h1>${fault.status}</h1></body></html>`;
      res.writeHead(fault.status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...fault.headers });
      res.end(body);
      return `${fault.status} fault=http`;
    }
    case 'body':
      res.writeHead(200, { 'Content-Type': fault.contentType ?? 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(fault.body) });
      res.end(fault.body);
      return '200 fault=body';
  }
}
