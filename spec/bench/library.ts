import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Library from '../../lib/index.js';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The library a benchmark measures. Full runs load the built ESM entry (`dist/index.js`, what
 * users run; `npm run bench` builds it first). `lib/` through tsx is compiled with esbuild's
 * keepNames, which wraps every function created in a `__name()` call: an `Object.defineProperty`
 * per closure and a property array on each, code the package does not contain. Smoke runs (under
 * jest, figures not judged) load `lib/`, so `npm test` needs no build.
 */
export async function loadLibrary(smoke: boolean): Promise<typeof Library> {
  if (smoke) return import('../../lib/index.js');
  const dist = resolve(ROOT, 'dist', 'index.js');
  if (!existsSync(dist)) throw new Error('dist/index.js is missing: run `npm run build` first (`npm run bench` does)');
  return (await import(pathToFileURL(dist).href)) as typeof Library;
}
