// @ts-check
/**
 * jest-preset-angular's jsdom environment, plus the few Node globals that jsdom lacks and that the
 * library (through ky) and the in-process pCloud emulator need. Test plumbing only: a browser has
 * all of these.
 *
 * - fetch, Request, Response, Headers: jsdom has no fetch; ky calls `new globalThis.Request(...)`
 *   and `globalThis.fetch`, so the whole family comes from Node (undici).
 * - URLSearchParams: the library sends its form as `new URLSearchParams()`. With jsdom's class,
 *   Node's Request does not recognise the body as a form and sends it as text/plain, so the
 *   server sees no parameters (no `auth`: pCloud error 1000).
 * - setImmediate, clearImmediate: Jest's jsdom environment removes them; the emulator uses them.
 *
 * jsdom's AbortController/AbortSignal work as they are (Node's Request accepts their signals, and
 * aborting one closes the connection), so they are left alone.
 */
const JsdomEnvironment = require('jest-preset-angular/environments/jest-jsdom-env').default;

const NODE_GLOBALS = ['fetch', 'Request', 'Response', 'Headers', 'URLSearchParams', 'setImmediate', 'clearImmediate'];

class JsdomWithNodeFetchEnvironment extends JsdomEnvironment {
  /** @param {ConstructorParameters<typeof JsdomEnvironment>} args */
  constructor(...args) {
    super(...args);
    const target = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (this.global));
    const source = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (globalThis));
    for (const name of NODE_GLOBALS) target[name] = source[name];
  }
}

module.exports = JsdomWithNodeFetchEnvironment;
