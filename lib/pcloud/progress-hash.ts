import { invalidInput } from '../poll/option-rules.js';

/**
 * A fresh, unguessable `progresshash` (128 random bits, hex), as pCloud asks for a different one
 * on every `savezip`. Uses Web Crypto, present in browsers and Node >= 19, so the main entry
 * stays free of Node built-ins.
 */
export function newProgressHash(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Validates a `progresshash`: a non-empty string that can travel as given. A control character
 * (NUL, CR, LF, ...) is no hash a caller meant, and a lone surrogate cannot be encoded in a form
 * body (it would fail every request with an untyped `URIError`).
 */
export function validateProgressHash(progresshash: unknown): asserts progresshash is string {
  if (typeof progresshash !== 'string' || progresshash.trim() === '') invalidInput('progresshash must be a non-empty string');
  if (/\p{Cc}/u.test(progresshash)) invalidInput('progresshash contains a control character (NUL, CR, LF, ...)');
  // With the u flag, \p{Cs} matches only a surrogate that is not part of a pair.
  if (/\p{Cs}/u.test(progresshash)) invalidInput('progresshash contains a lone surrogate (not valid UTF-16 text)');
}
