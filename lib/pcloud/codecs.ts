import * as t from 'io-ts';

/** Brand for counts: integers in [0, 2^53). */
export interface CountBrand {
  readonly Count: unique symbol;
}

/**
 * A non-negative safe integer. pCloud counts are never fractional or negative, and a number
 * past 2^53 has already lost precision in `JSON.parse`, so all of those are rejected.
 */
export const Count = t.brand(
  t.number,
  (n): n is t.Branded<number, CountBrand> => Number.isSafeInteger(n) && n >= 0,
  'Count',
);

/** `result` of a failed call: any non-zero integer. */
const NonZeroInt = t.refinement(t.Int, (n) => n !== 0, 'NonZeroInt');

/** `{"result": <code>, "error": "<text>"}`, pCloud's shape for every failure. */
export const ApiErrorBody = t.type({ result: NonZeroInt, error: t.string }, 'ApiErrorBody');

/** A `result` field whatever its value: tells which of the two shapes to expect. */
export const ResultField = t.type({ result: t.Int }, 'ResultField');

/** `savezipprogress` success body; extra fields are ignored (pCloud may add some at any time). */
export const SaveZipProgressBody = t.type(
  {
    result: t.literal(0),
    files: Count,
    totalfiles: Count,
    bytes: Count,
    totalbytes: Count,
  },
  'SaveZipProgressBody',
);
export type SaveZipProgressBody = t.TypeOf<typeof SaveZipProgressBody>;
