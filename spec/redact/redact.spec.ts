/**
 * The scrubber: every spelling of a token a server or proxy may echo (raw, %XX in either case,
 * form encoding, JSON \u escapes in either case, surrogate pairs, \/ and other short escapes, any
 * mix of them), and scrubbed copies of foreign errors. Property tests over random tokens.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { excerpt, redact, REDACTED, Scrubber } from '../../lib/redact/redact.js';
import { causeText, scrubbedCopy } from '../../lib/redact/scrub-error.js';

/** No lone surrogate (String.prototype.isWellFormed is newer than this project's lib setting). */
const wellFormed = (text: string): boolean => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

const hex = (n: number, width: number, upper: boolean): string => {
  const digits = n.toString(16).padStart(width, '0');
  return upper ? digits.toUpperCase() : digits;
};
const utf8 = (char: string): number[] => [...Buffer.from(wellFormed(char) ? char : '\uFFFD', 'utf8')];

/** The ways one code point may be spelled; `choice` picks one (taken modulo the count). */
function spellings(char: string): ((upper: boolean) => string)[] {
  const units = Array.from({ length: char.length }, (_, i) => char.charCodeAt(i));
  const forms: ((upper: boolean) => string)[] = [
    () => char,
    (upper) => utf8(char).map((b) => `%${hex(b, 2, upper)}`).join(''),
    (upper) => units.map((u) => `\\u${hex(u, 4, upper)}`).join(''),
  ];
  if (char === '/') forms.push(() => '\\/');
  if (char === '"') forms.push(() => '\\"');
  if (char === '\\') forms.push(() => '\\\\');
  if (char === ' ') forms.push(() => '+');
  return forms;
}

/** A random spelling of `token`: each code point spelled independently (a mix), hex case random. */
const spelled = (token: string): fc.Arbitrary<string> =>
  fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: Array.from(token).length, maxLength: Array.from(token).length }).map((choices) =>
    Array.from(token)
      .map((char, i) => {
        const [pick, upper] = choices[i]!;
        const forms = spellings(char);
        return forms[pick % forms.length]!(upper);
      })
      .join(''),
  );

/** The canonical encodings a careless server produces, each checked for survival. */
const canonical = (token: string): string[] => {
  const json = JSON.stringify(token).slice(1, -1);
  const forms = [token, json, json.replace(/\//g, '\\/'), new URLSearchParams({ t: token }).toString().slice(2)];
  if (wellFormed(token)) forms.push(encodeURIComponent(token), encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  return forms;
};

const tokenArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 24 }),
  fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
  fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }),
  fc.constantFrom('SeCrEt-TOKEN_q9Zx4', "a~b!c'd(e)f*g", 'a/b"c\\d', 'ab', 'act', 'x[y]z', '\uD800lone', 'é😀ü'),
);

/**
 * Tokens that pass validateCredentials, long enough not to be a word of the error's own framing
 * (inspect writes `cause`, `errors`, quotes and braces around the texts).
 */
const credentialArb = fc
  .oneof(fc.string({ minLength: 8, maxLength: 40 }), fc.string({ minLength: 6, maxLength: 16, unit: 'grapheme' }), fc.constantFrom('SeCrEt/TOKEN~q9(Zx4)!', 'é😀ü-token-ü😀é'))
  .filter((token) => wellFormed(token) && !/[\s\p{Cc}]/u.test(token));

describe('redact: one scrubber for every spelling', () => {
  it('catches the canonical encodings of any token', () => {
    fc.assert(
      fc.property(tokenArb, fc.string(), (token, around) => {
        for (const form of canonical(token)) {
          const out = redact(`${around}${form}${around}`, [token]);
          for (const survivor of canonical(token)) expect(out).not.toContain(survivor);
        }
      }),
      { numRuns: 300 },
    );
    // The rest of the text is left alone.
    expect(redact('{"error":"bad token SeCrEt%2Dx, retry"}', ['SeCrEt-x'])).toBe(`{"error":"bad token ${REDACTED}, retry"}`);
  });

  it('catches any mix of spellings (each character spelled its own way, either hex case)', () => {
    fc.assert(
      fc.property(tokenArb.chain((token) => fc.tuple(fc.constant(token), spelled(token), fc.string(), fc.string())), ([token, spelling, left, right]) => {
        const out = redact(`${left}${spelling}${right}`, [token]);
        expect(out).not.toContain(spelling);
        for (const form of canonical(token)) expect(out).not.toContain(form);
      }),
      { numRuns: 500 },
    );
  });

  it('never lets a replacement form a spelling with its neighbours (a token inside "[redacted]" or with brackets)', () => {
    expect(redact('act', ['act'])).not.toContain('act');
    expect(redact('x[y]z and [redacted]', ['x[y]z'])).not.toContain('x[y]z');
    expect(redact('red', ['red'])).not.toMatch(/red/);
    expect(redact('s3cr3t', ['s3cr3t'])).toBe(REDACTED);
  });

  it('known spellings by hand: \\u escapes in both cases, \\/, lowercase %xx, form encoding of ~ ! \' ( ) * and space', () => {
    const token = "Ab/c~d!e'f(g)h*i";
    const leaks = [
      '\\u0041\\u0062\\u002f\\u0063\\u007e\\u0064\\u0021\\u0065\\u0027\\u0066\\u0028\\u0067\\u0029\\u0068\\u002a\\u0069',
      '\\u0041\\u0062\\u002F\\u0063\\u007E\\u0064\\u0021\\u0065\\u0027\\u0066\\u0028\\u0067\\u0029\\u0068\\u002A\\u0069',
      'Ab\\/c~d!e\'f(g)h*i',
      'Ab%2fc~d!e\'f(g)h*i',
      new URLSearchParams({ t: token }).toString().slice(2),
      'A\\u0062%2Fc~d%21e\\u0027f(g)h*i',
    ];
    for (const leak of leaks) expect(redact(`{"echo":"${leak}"}`, [token])).toBe(`{"echo":"${REDACTED}"}`);
    expect(redact('a+b', ['a b'])).toBe(REDACTED);
    expect(redact('\\ud83d\\uDE00 %F0%9f%98%80', ['😀'])).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('excerpt scrubs before cutting and folding', () => {
    const token = 'tok/en';
    expect(excerpt(`${'x'.repeat(115)}tok\\/en${'y'.repeat(50)}`, [token])).toBe(`${'x'.repeat(115)}${REDACTED.slice(0, 5)}…`);
    expect(excerpt('a\n\n b', [])).toBe('a b');
  });
});

describe('scrubbedCopy: foreign errors are never kept as they are', () => {
  /** Every text a person or a log could see of an error. */
  const texts = (error: Error): string => [error.message, error.stack, String(error), inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error)].join('\n');

  it('keeps name, message, code, errors and the cause chain, scrubbed, whatever the token', () => {
    fc.assert(
      fc.property(credentialArb.chain((token) => fc.tuple(fc.constant(token), spelled(token), spelled(token))), ([token, a, b]) => {
        const build = (x: string, y: string, z: string): Error => {
          const root = Object.assign(new Error(`connect refused ${x}`), { code: `E_${y}`, syscall: 'connect', port: 9 });
          const aggregate = new AggregateError([root, new Error(y)], `all failed ${z}`);
          return new TypeError(`fetch failed: body auth=${x}`, { cause: aggregate });
        };
        // A token that is a word of the framing itself (inspect's `length`, `cause`...) proves nothing.
        fc.pre(!texts(scrubbedCopy(build('', '', ''), new Scrubber([]))).includes(token));
        const copy = scrubbedCopy(build(a, b, token), new Scrubber([token]));
        const all = texts(copy);
        for (const form of [a, b, ...canonical(token)]) expect(all).not.toContain(form);
        expect(copy.name).toBe('TypeError');
        const cause = copy.cause as Error & { errors: (Error & { code: string; port: number })[] };
        expect(cause.name).toBe('AggregateError');
        expect(cause.errors[0]).toMatchObject({ syscall: 'connect', port: 9 });
        expect(cause.errors[0]!.code.startsWith('E_')).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('bounds a cyclic or very deep cause chain and survives throwing getters and non-errors', () => {
    const cyclic = new Error('a');
    (cyclic as { cause?: unknown }).cause = cyclic;
    let depth = 0;
    for (let link: Error | undefined = scrubbedCopy(cyclic, new Scrubber([])); link !== undefined; link = link.cause as Error | undefined) depth += 1;
    expect(depth).toBeLessThanOrEqual(9);
    const hostile = { get message(): string { throw new Error('no'); }, cause: 'plain string s3cret' };
    const copy = scrubbedCopy(hostile, new Scrubber(['s3cret']));
    expect(copy).toBeInstanceOf(Error);
    expect((copy.cause as Error).message).toBe(`plain string ${REDACTED}`);
  });

  it('causeText names the root cause and its code, then the outer text', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(causeText(new TypeError('fetch failed', { cause: refused }))).toBe('connect ECONNREFUSED 127.0.0.1:9 (fetch failed)');
    const tls = Object.assign(new Error('SSL routines::wrong version number'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
    expect(causeText(new TypeError('fetch failed', { cause: new Error('outer', { cause: tls }) }))).toBe('ERR_SSL_WRONG_VERSION_NUMBER: SSL routines::wrong version number (fetch failed)');
    expect(causeText(new TypeError('fetch failed', { cause: new AggregateError([refused]) }))).toBe('connect ECONNREFUSED 127.0.0.1:9 (fetch failed)');
    expect(causeText(new Error('plain'))).toBe('plain');
  });
});
