/**
 * pCloud ids in the forms pCloud itself takes: a number, or a string of decimal digits; lists as
 * arrays of those, or as pCloud's own comma-separated string (`'5,6'`, spaces allowed around
 * each id). Everything is checked and sent in the canonical wire form (`5,6`).
 */

/** An id as a caller may give it: a whole number, or its decimal digits as a string. */
export type IdInput = number | string;

/** An id list as a caller may give it: an array of ids, one id, or a comma-separated string. */
export type IdListInput = readonly IdInput[] | IdInput;

const DIGITS = /^\s*(\d+)\s*$/;

/** A value for an error message: strings quoted and cut short, anything else by its type or value. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : typeof value;
}

/** One id in canonical decimal form, or undefined when `value` is not an id. */
function canonical(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const digits = DIGITS.exec(value)?.[1];
  if (digits === undefined) return undefined;
  const id = Number(digits);
  return Number.isSafeInteger(id) ? String(id) : undefined;
}

const WHAT = 'a whole number from 0 to 2^53-1, or its decimal digits';

/**
 * One id (`folderid`, `tofolderid`) in wire form; undefined stays undefined. Throws a TypeError
 * naming the option and the value.
 */
export function parseId(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const id = canonical(value);
  if (id === undefined) throw new TypeError(`${option} must be an id (${WHAT}), got ${show(value)}`);
  return id;
}

/**
 * An id list (`fileids`, `folderids`, ...) in wire form (`5,6`); undefined, `[]` and `''` are
 * no list (undefined). Throws a TypeError naming the option and the first bad item.
 */
export function parseIdList(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let items: readonly unknown[];
  if (Array.isArray(value)) items = value;
  else if (typeof value === 'number') items = [value];
  else if (typeof value === 'string') items = value.trim() === '' ? [] : value.split(',');
  else throw new TypeError(`${option} must be an array of ids, an id or a comma-separated string of ids, got ${show(value)}`);
  const ids = items.map((item, index) => {
    const id = canonical(item);
    if (id === undefined) {
      throw new TypeError(`${option} must hold ids (${WHAT}): item ${index + 1} is ${item === '' || (typeof item === 'string' && item.trim() === '') ? 'empty' : show(item)}`);
    }
    return id;
  });
  return ids.length === 0 ? undefined : ids.join(',');
}
