import type * as t from 'io-ts';
import { ApiErrorBody, ResultField } from './codecs.js';
import { PCloudApiError } from '../errors/pcloud-api-error.js';
import { ResponseDecodeError } from '../errors/response-decode-error.js';
import { excerpt, Scrubber } from '../redact/redact.js';
import { isTransientCode } from './error-codes.js';

/** What decoding needs to know to build a helpful, credential-free error. */
export interface DecodeContext {
  readonly method: string;
  readonly status: number;
  /** The call's secrets, or its scrubber: every text quoted from the body passes through it. */
  readonly secrets: readonly (string | undefined)[] | Scrubber;
  /** What to do about an API error code, appended to its message (see `apiErrorHint`). */
  readonly hint?: ((code: number) => string | undefined) | undefined;
}

/** A value found in the body, for a message. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return `the number ${value}${Number.isSafeInteger(value) ? '' : ' (not a safe integer)'}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Where a body is wrong (a field's path, `(body)` or `(root)`) and how. */
type Problem = readonly [path: string, what: string];

function decodeError(ctx: DecodeContext, body: string, problems: readonly Problem[]): ResponseDecodeError {
  const scrubber = Scrubber.of(ctx.secrets);
  return new ResponseDecodeError({
    method: ctx.method,
    status: ctx.status,
    paths: [...new Set(problems.map(([path]) => path))],
    problems: problems.map(([path, what]) => scrubber.text(`${path}: ${what}`)),
    excerpt: excerpt(body, scrubber),
  });
}

/**
 * The error for a body longer than the limit (after decompression): `ResponseDecodeError` on
 * `(body)`, quoting the start that was read.
 */
export function responseTooLarge(ctx: DecodeContext, start: string, limit: number): ResponseDecodeError {
  return decodeError(ctx, start, [['(body)', `longer than the ${limit}-byte limit (maxResponseBytes); reading stopped there`]]);
}

function check<A>(codec: t.Decoder<unknown, A>, value: unknown, ctx: DecodeContext, body: string): A {
  const result = codec.decode(value);
  if (result._tag === 'Right') return result.right;
  throw decodeError(
    ctx,
    body,
    result.left.map(({ context, value: found }): Problem => [
      context.map((entry) => entry.key).filter(Boolean).join('.') || '(root)',
      `expected ${context.at(-1)?.type.name ?? 'a value'}, got ${describe(found)}`,
    ]),
  );
}

/**
 * Parses and decodes one pCloud response body: returns the success value, throws
 * `PCloudApiError` for a well-formed failure and `ResponseDecodeError` for anything else.
 * Never throws a raw `SyntaxError` or io-ts structure.
 */
export function decodeResponse<A>(codec: t.Decoder<unknown, A>, body: string, ctx: DecodeContext): A {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw decodeError(ctx, body, [['(body)', body.trim() ? 'not JSON' : 'empty']]);
  }
  const found = describe(json);
  if (found !== 'an object') throw decodeError(ctx, body, [['(root)', `expected a JSON object, got ${found}`]]);
  // `result: 0` announces the success shape; its codec checks every field, `result` included.
  if ((json as { result?: unknown }).result === 0) return check(codec, json, ctx, body);
  // Otherwise a failure: a missing or non-integer `result` is named on its own first.
  check(ResultField, json, ctx, body);
  const { result, error } = check(ApiErrorBody, json, ctx, body);
  const hint = ctx.hint?.(result);
  throw new PCloudApiError({
    code: result,
    method: ctx.method,
    message: Scrubber.of(ctx.secrets).text(hint === undefined ? error : `${error} Hint: ${hint}.`),
    transient: isTransientCode(result),
  });
}
