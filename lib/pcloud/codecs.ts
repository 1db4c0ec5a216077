// Every codec construction is marked pure, so a bundler drops the codecs an import does not use
// (a zipProgress$-only app ships neither savezip's nor currentserver's).
import * as t from 'io-ts';

/** Brand for counts: integers in [0, 2^53). */
export interface CountBrand {
  readonly Count: unique symbol;
}

/**
 * A non-negative safe integer. pCloud counts are never fractional or negative, and a number
 * past 2^53 has already lost precision in `JSON.parse`, so all of those are rejected.
 */
export const Count = /* @__PURE__ */ t.brand(
  t.number,
  (n): n is t.Branded<number, CountBrand> => Number.isSafeInteger(n) && n >= 0,
  'Count',
);

/**
 * `{"result": <code>, "error": "<text>"}`, pCloud's shape for every failure. `result` is never 0
 * here: `decodeResponse` reads a body with `result: 0` as a success.
 */
export const ApiErrorBody = /* @__PURE__ */ t.type({ result: t.Int, error: t.string }, 'ApiErrorBody');

/** Any integer `result`: tells which of the two shapes to expect. */
export const ResultField = /* @__PURE__ */ t.type({ result: t.Int }, 'ResultField');

/** Unix seconds as pCloud's default date form: "Thu, 21 Mar 2013 18:31:45 +0000" (RFC 2822, UTC). */
function rfc2822(seconds: number): string {
  return new Date(seconds * 1000).toUTCString().replace(/GMT$/, '+0000');
}

/**
 * A pCloud date, in either form it sends: the default RFC 2822 string, or UTC unix seconds when
 * the global parameter `timeformat=timestamp` is set (api.txt, OPTIONAL GLOBAL PARAMETERS; a
 * proxy or a cookie may add it). Decoded to the string form, so a caller sees one type.
 */
export const PCloudDate = /* @__PURE__ */ new t.Type<string, string, unknown>(
  'PCloudDate',
  (value): value is string => typeof value === 'string',
  (value, context) => {
    if (typeof value === 'string') return t.success(value);
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return t.success(rfc2822(value));
    return t.failure(value, context, 'an RFC 2822 date string or unix seconds');
  },
  (value) => value,
);

/** `savezipprogress` success body; extra fields are ignored (pCloud may add some at any time). */
export const SaveZipProgressBody = /* @__PURE__ */ t.type(
  {
    result: /* @__PURE__ */ t.literal(0),
    files: Count,
    totalfiles: Count,
    bytes: Count,
    totalbytes: Count,
  },
  'SaveZipProgressBody',
);
export type SaveZipProgressBody = t.TypeOf<typeof SaveZipProgressBody>;

/** `currentserver`: which host serves this client; `savezip` and its progress go there. */
export const CurrentServerBody = /* @__PURE__ */ t.type({ result: /* @__PURE__ */ t.literal(0), hostname: t.string }, 'CurrentServerBody');

/**
 * Metadata of the zip `savezip` created, as pCloud sends it (plus any other field it sent).
 * A type only: the codec that checks it stays inside the library.
 */
export interface PCloudFileMetadata {
  /** File name, e.g. `photos.zip`. */
  readonly name: string;
  /** Always false: `savezip` creates a file. */
  readonly isfolder: false;
  /** The new file's id. */
  readonly fileid: number;
  /** Size in bytes. */
  readonly size: number;
  /** pCloud's string id of the entry, e.g. `'f123'`. */
  readonly id: string;
  /** Full path, when pCloud sends it. */
  readonly path?: string;
  /** Id of the folder that holds the file. */
  readonly parentfolderid?: number;
  /** MIME type, e.g. `application/zip`. */
  readonly contenttype?: string;
  /** Creation date, as pCloud formats it by default (RFC 2822, UTC); unix seconds are decoded to that form. */
  readonly created?: string;
  /** Last modification date, as pCloud formats it by default (RFC 2822, UTC); unix seconds are decoded to that form. */
  readonly modified?: string;
  /** pCloud's 64-bit content hash; may have lost precision in `JSON.parse`, so not relied on. */
  readonly hash?: number;
  /** pCloud's file category number. */
  readonly category?: number;
  /** pCloud's icon name. */
  readonly icon?: string;
  /** Whether the user owns the file. */
  readonly ismine?: boolean;
  /** Whether the file is shared. */
  readonly isshared?: boolean;
  /** Whether pCloud can make a thumbnail of it. */
  readonly thumb?: boolean;
}

/**
 * The codec of {@link PCloudFileMetadata}. Only the fields a caller relies on are checked; the
 * others pass through untouched. `hash` is a 64-bit number in pCloud's JSON and may have lost
 * precision in `JSON.parse`, so it is typed but not relied on.
 */
export const PCloudFileMetadataCodec = /* @__PURE__ */ t.intersection(
  [
    /* @__PURE__ */ t.type({
      name: t.string,
      isfolder: /* @__PURE__ */ t.literal(false),
      fileid: Count,
      size: Count,
      id: t.string,
    }),
    /* @__PURE__ */ t.partial({
      path: t.string,
      parentfolderid: Count,
      contenttype: t.string,
      created: PCloudDate,
      modified: PCloudDate,
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

/** `savezip` success body. */
export const SaveZipBody = /* @__PURE__ */ t.type({ result: /* @__PURE__ */ t.literal(0), metadata: PCloudFileMetadataCodec }, 'SaveZipBody');
