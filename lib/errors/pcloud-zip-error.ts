/** The `name` of every error this library raises: the discriminant of the family. */
export type PCloudZipErrorName = 'PCloudApiError' | 'TransportError' | 'ResponseDecodeError' | 'ProgressTimeoutError' | 'AbortError';

const NAMES: ReadonlySet<string> = new Set<PCloudZipErrorName>([
  'PCloudApiError',
  'TransportError',
  'ResponseDecodeError',
  'ProgressTimeoutError',
  'AbortError',
]);

/** An object whose `name` is `name`, with its other properties open to inspection. */
export type Named<N extends string> = { readonly name: N } & Readonly<Record<string, unknown>>;

/**
 * Whether `value` is an object (an Error from any realm or copy of this package, or its
 * structured clone) whose `name` is `name`. The realm-safe half of every `is` guard below.
 */
export function hasName<N extends string>(value: unknown, name: N): value is Named<N> {
  return typeof value === 'object' && value !== null && (value as { readonly name?: unknown }).name === name;
}

/** Error options holding `cause` only when there is one (no own `cause: undefined`). */
export function causeOption(cause: unknown): ErrorOptions | undefined {
  return cause === undefined ? undefined : { cause };
}

/**
 * The base class of every error the library raises (like ky's `KyError`): `PCloudApiError`,
 * `TransportError`, `ResponseDecodeError`, `ProgressTimeoutError` and `AbortError`. Catch the
 * family with `instanceof PCloudZipError`, then switch on `name`.
 *
 * `instanceof` fails for an error made by another copy of the package (two versions in one
 * bundle, an iframe, a VM context). Each class therefore has a static `is(value)` guard that
 * looks at `name` (kept as the discriminant) and at the type of the class's own fields, never at
 * the prototype; `PCloudZipError.is` accepts any of the five. `AbortError.is` also accepts the
 * platform's `AbortError` (a `DOMException`), which means the same thing: cancelled.
 *
 * @example
 * ```ts
 * import { PCloudZipError, PCloudApiError, zipProgress$ } from 'pcloud-zip-progress';
 *
 * zipProgress$({ progresshash, auth }).subscribe({
 *   error: (e: unknown) => {
 *     if (PCloudApiError.is(e)) console.error(`pCloud refused: ${e.code}`);
 *     else if (PCloudZipError.is(e)) console.error(e.name, e.message);
 *     else throw e;
 *   },
 * });
 * ```
 */
export abstract class PCloudZipError extends Error {
  /** Which error of the family this is; narrows the type in a `switch`. */
  abstract override readonly name: PCloudZipErrorName;

  /**
   * Whether `value` is any error of the family, also one from another copy of the package
   * (where `instanceof` fails): an object whose `name` is one of the five names.
   *
   * @example
   * ```ts
   * if (PCloudZipError.is(error)) console.error(error.name, error.message);
   * ```
   */
  static is(value: unknown): value is PCloudZipError {
    return typeof value === 'object' && value !== null && NAMES.has(String((value as { readonly name?: unknown }).name));
  }
}
