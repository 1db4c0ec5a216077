/**
 * Credential scrubbing for anything that may end up in an error message or a log line.
 * Servers and proxies echo parameters back in every spelling a token can take on the wire: raw,
 * percent-encoded (either hex case, `+` for a space), form-encoded, JSON-escaped (`\u00XX` in
 * either case, surrogate pairs, `\/`, `\"`, `\\`), or a mix of these. One pattern per secret
 * matches each character in any of its spellings, so every mix is caught.
 */

export const REDACTED = '[redacted]';

const hexDigit = (digit: string): string => (/[a-f]/i.test(digit) ? `[${digit.toLowerCase()}${digit.toUpperCase()}]` : digit);
const hexPattern = (value: number, width: number): string => Array.from(value.toString(16).padStart(width, '0'), hexDigit).join('');
/** A regex atom matching exactly one UTF-16 code unit, whatever it is (no `u` flag is used). */
const unitAtom = (unit: number): string => `\\u${unit.toString(16).padStart(4, '0')}`;

/** JSON's short escapes (a token is validated free of control characters, but the emulator sees any). */
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't' };

/** One UTF-16 code unit as it may appear in JSON text: itself, `\uXXXX` (either case), or a short escape. */
function jsonUnit(unit: number): string {
  const alternatives = [unitAtom(unit), `\\\\u${hexPattern(unit, 4)}`];
  const short = SHORT_ESCAPES[String.fromCharCode(unit)];
  if (short !== undefined) alternatives.push(`\\\\${unitAtom(short.charCodeAt(0))}`);
  return `(?:${alternatives.join('|')})`;
}

/** The UTF-8 bytes of one code point; a lone surrogate is encoded as U+FFFD, like URLSearchParams does. */
function utf8(codePoint: number): number[] {
  const cp = codePoint >= 0xd800 && codePoint <= 0xdfff ? 0xfffd : codePoint;
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

/** One code point in any spelling: JSON (per code unit, so a half-escaped pair too), %XX per UTF-8 byte, `+` for a space. */
function codePointPattern(char: string): string {
  const units = [...Array(char.length).keys()].map((i) => jsonUnit(char.charCodeAt(i))).join('');
  const alternatives = [units, utf8(char.codePointAt(0) ?? 0).map((byte) => `%${hexPattern(byte, 2)}`).join('')];
  if (char === ' ') alternatives.push('\\+');
  return `(?:${alternatives.join('|')})`;
}

/** Code points of a string, lone surrogates included (`[...s]` keeps them as one-unit strings). */
const codePoints = (secret: string): string[] => Array.from(secret);

/** A regex source matching `secret` in any spelling, each character independently. */
export function secretPattern(secret: string): string {
  return codePoints(secret).map(codePointPattern).join('');
}

/** Characters that never occur in a spelling unless they are in the secret itself: safe marker material. */
const FALLBACK_MARKERS = ['\u2022', '\u00a4', '\u00a7', '\u00b6', '\u00d7'];

/**
 * Scrubs a fixed set of secrets from texts. Built once per set of secrets (a call's), used for
 * every text and error of that call.
 *
 * @example
 * ```ts
 * const scrub = new Scrubber(['s3cr3t']);
 * scrub.text('auth=s%33cr3t'); // 'auth=[redacted]'
 * ```
 */
export class Scrubber {
  readonly #pattern: RegExp | undefined;
  readonly #marker: string;

  constructor(secrets: readonly (string | undefined)[]) {
    const unique = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s !== ''))].sort((a, b) => b.length - a.length);
    this.#pattern = unique.length === 0 ? undefined : new RegExp(unique.map(secretPattern).join('|'), 'g');
    this.#marker = this.#chooseMarker(unique);
  }

  /**
   * The replacement text: `[redacted]`, unless a secret could be spelled with it (a secret such
   * as `act`, or one with a bracket); then a run of a character no secret contains, so that a
   * replacement can never form (a part of) a spelling with its neighbours.
   */
  #chooseMarker(secrets: readonly string[]): string {
    const pattern = this.#pattern;
    if (pattern === undefined) return REDACTED;
    const inSecrets = (char: string): boolean => secrets.some((secret) => secret.includes(char));
    pattern.lastIndex = 0;
    if (!inSecrets('[') && !inSecrets(']') && !pattern.test(REDACTED)) return REDACTED;
    let char = FALLBACK_MARKERS.find((candidate) => !inSecrets(candidate));
    for (let code = 0x2580; char === undefined; code += 1) if (!inSecrets(String.fromCharCode(code))) char = String.fromCharCode(code);
    return char.repeat(3);
  }

  /** `text` with every spelling of every secret replaced. */
  text(text: string): string {
    if (this.#pattern === undefined) return text;
    this.#pattern.lastIndex = 0;
    return text.replace(this.#pattern, this.#marker);
  }
}

/** Replaces every spelling of each secret in `text` (see the module comment). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return new Scrubber(secrets).text(text);
}

/** A short, single-line, scrubbed excerpt of a response body for error messages. */
export function excerpt(body: string, secrets: readonly (string | undefined)[] | Scrubber, max = 120): string {
  const scrubber = secrets instanceof Scrubber ? secrets : new Scrubber(secrets);
  // Redact before cutting, so a secret straddling the cut cannot leak half of itself; again after
  // folding white space, which could join the parts of a secret that holds a space.
  const clean = scrubber.text(scrubber.text(body).replace(/\s+/g, ' ').trim());
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
