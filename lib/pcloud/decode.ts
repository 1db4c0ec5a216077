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

const scrubberOf = (ctx: DecodeContext): Scrubber => (ctx.secrets instanceof Scrubber ? ctx.secrets : new Scrubber(ctx.secrets));

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? `the number ${value}` : `the number ${value} (not a safe integer)`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function decodeError(ctx: DecodeContext, body: string, problems: { path: string; text: string }[]): ResponseDecodeError {
  const scrubber = scrubberOf(ctx);
  return new ResponseDecodeError({
    method: ctx.method,
    status: ctx.status,
    paths: [...new Set(problems.map((p) => p.path))],
    problems: problems.map((p) => scrubber.text(p.text)),
    excerpt: excerpt(body, scrubber),
  });
}

function fail(ctx: DecodeContext, body: string, problems: { path: string; text: string }[]): never {
  throw decodeError(ctx, body, problems);
}

/**
 * The error for a body longer than the limit (after decompression): `ResponseDecodeError` on
 * `(body)`, quoting the start that was read.
 */
export function responseTooLarge(ctx: DecodeContext, start: string, limit: number): ResponseDecodeError {
  return decodeError(ctx, start, [{ path: '(body)', text: `(body): longer than the ${limit}-byte limit (maxResponseBytes); reading stopped there` }]);
}

function check<A>(codec: t.Decoder<unknown, A>, value: unknown, ctx: DecodeContext, body: string): A {
  const result = codec.decode(value);
  if (result._tag === 'Right') return result.right;
  fail(
    ctx,
    body,
    result.left.map((error) => {
      const path = error.context
        .map((entry) => entry.key)
        .filter((key) => key !== '')
        .join('.') || '(root)';
      const expected = error.context[error.context.length - 1]?.type.name ?? 'a value';
      return { path, text: `${path}: expected ${expected}, got ${describe(error.value)}` };
    }),
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
    fail(ctx, body, [{ path: '(body)', text: body.trim() === '' ? '(body): empty' : '(body): not JSON' }]);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail(ctx, body, [{ path: '(root)', text: `(root): expected a JSON object, got ${describe(json)}` }]);
  }
  // `result: 0` announces the success shape; its codec checks every field, `result` included.
  if ((json as { result?: unknown }).result === 0) return check(codec, json, ctx, body);
  // Otherwise a failure: a missing or non-integer `result` is named on its own first.
  check(ResultField, json, ctx, body);
  const failure = check(ApiErrorBody, json, ctx, body);
  const hint = ctx.hint?.(failure.result);
  throw new PCloudApiError({
    code: failure.result,
    method: ctx.method,
    message: scrubberOf(ctx).text(hint === undefined ? failure.error : `${failure.error} Hint: ${hint}.`),
    transient: isTransientCode(failure.result),
  });
}
