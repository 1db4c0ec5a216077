/**
 * Credential scrubbing for anything that may end up in an error message or a log line.
 * Servers and proxies echo parameters back in every spelling a token can take on the wire: raw,
 * percent-encoded (either hex case, `+` for a space), form-encoded, JSON-escaped (`\u00XX` in
 * either case, surrogate pairs, `\/`, `\"`, `\\`), or a mix of these. One pattern per secret
 * matches each character in any of its spellings, so every mix is caught.
 */

export const REDACTED = '[redacted]';

/** `value` as `width` hex digits, each letter matching either case (`[aA]`). */
const hexPattern = (value: number, width: number): string =>
  value.toString(16).padStart(width, '0').replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`);
/** A regex atom matching exactly one UTF-16 code unit, whatever it is (no `u` flag is used). */
const unitAtom = (unit: number): string => `\\u${unit.toString(16).padStart(4, '0')}`;

/**
 * JSON's short escapes: `SHORT_ESCAPED[i]` may be written `\` + `SHORT_ESCAPES[i]` (a token is
 * validated free of control characters, but the emulator sees any).
 */
const SHORT_ESCAPED = '"\\/\b\f\n\r\t';
const SHORT_ESCAPES = '"\\/bfnrt';

/** One UTF-16 code unit as it may appear in JSON text: itself, `\uXXXX` (either case), or a short escape. */
function jsonUnit(unit: string): string {
  const code = unit.charCodeAt(0);
  const short = SHORT_ESCAPED.indexOf(unit);
  return `(?:${unitAtom(code)}|\\\\u${hexPattern(code, 4)}${short < 0 ? '' : `|\\\\${unitAtom(SHORT_ESCAPES.charCodeAt(short))}`})`;
}

/**
 * One code point in any spelling: JSON per code unit (`split('')` splits into code units, so a
 * half-escaped pair is caught too), `%XX` per UTF-8 byte (TextEncoder encodes a lone surrogate as
 * U+FFFD, like URLSearchParams does), `+` for a space.
 */
function codePointPattern(char: string): string {
  const percent = Array.from(new TextEncoder().encode(char), (byte) => `%${hexPattern(byte, 2)}`).join('');
  return `(?:${char.split('').map(jsonUnit).join('')}|${percent}${char === ' ' ? '|\\+' : ''})`;
}

/** A regex source matching `secret` in any spelling, each code point (a lone surrogate too) independently. */
export function secretPattern(secret: string): string {
  return Array.from(secret, codePointPattern).join('');
}

/**
 * The replacement text: `[redacted]`, unless a secret could be spelled with it (a secret such as
 * `act`, or one with a bracket); then a run of a character no secret contains. Spellings add only
 * ASCII to a secret's own characters, so such a non-ASCII run can never form (a part of) a
 * spelling with its neighbours.
 */
function markerFor(secrets: readonly string[], pattern: RegExp): string {
  const all = secrets.join('');
  if (!/[[\]]/.test(all) && !pattern.test(REDACTED)) return REDACTED;
  let code = 0x2022; // '•'
  while (all.includes(String.fromCharCode(code))) code += 1;
  return String.fromCharCode(code).repeat(3);
}

/**
 * Scrubs a fixed set of secrets from texts. Built once per set of secrets (a call's), used for
 * every text and error of that call. The pattern is built at the first text: a call that never
 * fails never needs it, and thousands of waiting subscriptions would each hold a compiled regex
 * (~0.7 KB with its source) for nothing.
 *
 * @example
 * ```ts
 * const scrub = new Scrubber(['s3cr3t']);
 * scrub.text('auth=s%33cr3t'); // 'auth=[redacted]'
 * ```
 */
export class Scrubber {
  readonly #secrets: readonly (string | undefined)[];
  #pattern: RegExp | undefined;
  #marker = REDACTED;

  constructor(secrets: readonly (string | undefined)[]) {
    this.#secrets = secrets;
  }

  /** `secrets` as a Scrubber (itself when it is one). */
  static of(secrets: readonly (string | undefined)[] | Scrubber): Scrubber {
    return secrets instanceof Scrubber ? secrets : new Scrubber(secrets);
  }

  /** `text` with every spelling of every secret replaced (`replace` restarts a global regex at 0). */
  text(text: string): string {
    if (this.#pattern === undefined) {
      const unique = [...new Set(this.#secrets.filter((s): s is string => typeof s === 'string' && s !== ''))].sort((a, b) => b.length - a.length);
      // No secrets: `(?!)` never matches, and the text comes back as it is.
      this.#pattern = new RegExp(unique.map(secretPattern).join('|') || '(?!)', 'g');
      this.#marker = markerFor(unique, this.#pattern);
    }
    return text.replace(this.#pattern, this.#marker);
  }
}

/** Replaces every spelling of each secret in `text` (see the module comment). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return new Scrubber(secrets).text(text);
}

/** A short, single-line, scrubbed excerpt of a response body for error messages. */
export function excerpt(body: string, secrets: readonly (string | undefined)[] | Scrubber, max = 120): string {
  const scrubber = Scrubber.of(secrets);
  // Redact before cutting, so a secret straddling the cut cannot leak half of itself; again after
  // folding white space, which could join the parts of a secret that holds a space.
  const clean = scrubber.text(scrubber.text(body).replace(/\s+/g, ' ').trim());
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
