/**
 * Foreign errors (from `fetch`, a proxy's custom fetch, a stream) may quote a request body or an
 * Authorization header. They are never kept as they are: a `cause` is always a scrubbed copy.
 */
import type { Scrubber } from './redact.js';

/** How deep a cause chain is copied; deeper links are dropped (a chain may even be a cycle). */
const MAX_DEPTH = 8;
/** Fields of Node's system errors worth keeping (they name the failure: ECONNREFUSED, connect, ...). */
const KEPT_FIELDS = ['code', 'errno', 'syscall', 'address', 'port'] as const;

/** `value[key]`, or undefined for null, undefined or a throwing getter (primitives have none of these keys). */
function field(value: unknown, key: string): unknown {
  try {
    return (value as Readonly<Record<string, unknown>> | null | undefined)?.[key];
  } catch {
    return undefined;
  }
}

/** An error's own text: its message, a string thrown as is, or a short JSON form of anything else. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  const message = field(value, 'message');
  if (typeof message === 'string') return message;
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 500);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * A scrubbed copy of any thrown value, as an `Error`: same `name`, `message`, `code` (and Node's
 * `errno`, `syscall`, `address`, `port`), the original stack, an AggregateError's `errors` and the
 * `cause` chain, every text passed through `scrubber`, at most 8 links deep.
 *
 * @example
 * ```ts
 * throw new TransportError({ ..., cause: scrubbedCopy(fetchError, scrubber) });
 * ```
 */
export function scrubbedCopy(error: unknown, scrubber: Scrubber, depth = 0): Error {
  const deeper = depth < MAX_DEPTH;
  const copyOf = (inner: unknown): Error => scrubbedCopy(inner, scrubber, depth + 1);
  const scrubbed = (value: unknown): string | undefined => (typeof value === 'string' ? scrubber.text(value) : undefined);
  const cause = field(error, 'cause');
  const copy = new Error(scrubber.text(textOf(error)), cause !== undefined && deeper ? { cause: copyOf(cause) } : undefined) as Error & Record<string, unknown>;
  // Not enumerable, like the `name` an Error inherits.
  Object.defineProperty(copy, 'name', { value: scrubbed(field(error, 'name')) ?? 'Error', writable: true, configurable: true });
  for (const key of KEPT_FIELDS) {
    const value = field(error, key);
    const kept = typeof value === 'number' ? value : scrubbed(value);
    if (kept !== undefined) copy[key] = kept;
  }
  const errors = field(error, 'errors');
  if (Array.isArray(errors) && deeper) copy.errors = errors.slice(0, 8).map(copyOf);
  copy.stack = scrubbed(field(error, 'stack')) ?? `${copy.name}: ${copy.message}`;
  return copy;
}

/** The innermost error of a cause chain (the first of an AggregateError's), for a message. */
function rootOf(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    const cause = field(current, 'cause');
    const errors = field(current, 'errors');
    const next = cause ?? (Array.isArray(errors) ? (errors as unknown[])[0] : undefined);
    if (next === undefined || next === null) break;
    current = next;
  }
  return current;
}

/**
 * What failed, for a message: the root cause (with its `code` when the text lacks it) and the
 * outermost text in brackets when they differ, e.g. `connect ECONNREFUSED 127.0.0.1:9 (fetch failed)`.
 * Not scrubbed: pass the result through the call's scrubber.
 *
 * @example
 * ```ts
 * causeText(new TypeError('fetch failed', { cause: new Error('bad port') })); // 'bad port (fetch failed)'
 * ```
 */
export function causeText(error: unknown): string {
  const outer = textOf(error) || 'unknown';
  const root = rootOf(error);
  if (root === error) return outer;
  const code = field(root, 'code');
  let inner = textOf(root);
  if (typeof code === 'string' && !inner.includes(code)) inner = inner === '' ? code : `${code}: ${inner}`;
  return inner === '' || inner === outer ? outer : `${inner} (${outer})`;
}
