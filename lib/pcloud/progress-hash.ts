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
