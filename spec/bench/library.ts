import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Library from '../../lib/index.js';
import type * as NodeLibrary from '../../lib/node.js';
import type * as AccountPools from '../../lib/node/account-pools.js';
import type * as Otel from '../../lib/otel.js';

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

/** `pcloud-zip-progress/otel` as Node loads it: `dist/otel/node.js` (full runs), `lib/otel/node.ts` (smoke). */
export async function loadOtel(smoke: boolean): Promise<typeof Otel> {
  if (smoke) return import('../../lib/otel/node.js');
  const dist = resolve(ROOT, 'dist', 'otel', 'node.js');
  if (!existsSync(dist)) throw new Error('dist/otel/node.js is missing: run `npm run build` first (`npm run bench` does)');
  return (await import(pathToFileURL(dist).href)) as typeof Otel;
}

/** The Node entry, with the pool counters of the very module instance it uses. */
export interface NodeLibraryWithPools {
  readonly library: typeof NodeLibrary;
  readonly pools: Pick<typeof AccountPools, 'openPoolCount' | 'sweepIdlePools' | 'POOL_IDLE_MS'>;
  /** Where it came from, for the notes. */
  readonly source: string;
}

/**
 * The Node entry (what `import 'pcloud-zip-progress'` resolves to in Node: one connection pool per
 * credential) and its pool counters, which the package does not export. Smoke runs import both
 * from `lib/` (one module instance, same URL). Full runs build `lib/node.ts` the way tsup builds
 * `dist/node/index.js` (esbuild, ESM, es2022, platform neutral, packages external, no keepNames),
 * with `lib/node/account-pools.ts` as a second entry, so that esbuild puts the pools in a chunk
 * both entries import: the counters then read the pools the library uses.
 */
export async function loadNodeLibrary(smoke: boolean): Promise<NodeLibraryWithPools> {
  if (smoke) {
    return { library: await import('../../lib/node.js'), pools: await import('../../lib/node/account-pools.js'), source: 'lib/node.ts (smoke run)' };
  }
  const { build } = await import('esbuild');
  // Under the repository, so the bundle's bare imports (ky, io-ts, undici, rxjs) resolve to its node_modules.
  await mkdir(join(ROOT, '.tmp'), { recursive: true });
  const outdir = await mkdtemp(join(ROOT, '.tmp', 'bench-node-'));
  try {
    await build({
      entryPoints: { index: join(ROOT, 'lib', 'node.ts'), 'account-pools': join(ROOT, 'lib', 'node', 'account-pools.ts') },
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      packages: 'external',
      tsconfig: join(ROOT, 'tsconfig.build.json'),
      logLevel: 'error',
    });
    const library = (await import(pathToFileURL(join(outdir, 'index.js')).href)) as typeof NodeLibrary;
    const pools = (await import(pathToFileURL(join(outdir, 'account-pools.js')).href)) as typeof AccountPools;
    return { library, pools, source: 'lib/node.ts built as tsup builds dist/node/index.js (esbuild, no keepNames), its pool module shared with the counters' };
  } finally {
    // Loaded modules stay in memory; the files are not needed any more.
    await rm(outdir, { recursive: true, force: true });
  }
}
