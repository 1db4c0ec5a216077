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

/** Any integer `result`: tells which of the two shapes to expect. */
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

/** `currentserver`: which host serves this client; `savezip` and its progress go there. */
export const CurrentServerBody = t.type({ result: t.literal(0), hostname: t.string }, 'CurrentServerBody');

/**
 * pCloud file metadata as `savezip` returns it. Only the fields a caller relies on are
 * checked; the others pass through untouched. `hash` is a 64-bit number in pCloud's JSON and
 * may have lost precision in `JSON.parse`, so it is typed but not relied on.
 */
export const PCloudFileMetadata = t.intersection(
  [
    t.type({
      name: t.string,
      isfolder: t.literal(false),
      fileid: Count,
      size: Count,
      id: t.string,
    }),
    t.partial({
      path: t.string,
      parentfolderid: Count,
      contenttype: t.string,
      created: t.string,
      modified: t.string,
      hash: t.number,
      category: t.number,
      icon: t.string,
      ismine: t.boolean,
      isshared: t.boolean,
      thumb: t.boolean,
    }),
  ],
  'PCloudFileMetadata',
);

/** Metadata of the zip `savezip` created (plus any other field pCloud sent). */
export type PCloudFileMetadata = t.TypeOf<typeof PCloudFileMetadata>;

/** `savezip` success body. */
export const SaveZipBody = t.type({ result: t.literal(0), metadata: PCloudFileMetadata }, 'SaveZipBody');
