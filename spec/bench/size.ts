import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { ROOT } from './library.js';
import type { BenchOptions, BenchSection } from './section.js';
import { kb } from './stats.js';

/**
 * Size: what a browser app ships for `import { zipProgress$ }` (minified, gzip -9, rxjs left to
 * the app since it is a peer dependency), next to ky and io-ts alone for reference.
 */

/** Restated in issue 12 (ky and io-ts stay: they are the product's design); a later change cuts our share to meet it. */
const TARGET_GZIP_BYTES = 12 * 1024;
const ENTRY = resolve(ROOT, 'lib', 'index.ts');

interface Bundle {
  readonly minified: number;
  readonly gzipped: number;
  readonly metafile: Metafile;
}

/** Bundles `source` the way a browser app's bundler would, with tree shaking. */
async function bundle(source: string): Promise<Bundle> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts', sourcefile: 'app.ts' },
    // Metafile paths relative to the repository root ('lib/...', 'node_modules/...').
    absWorkingDir: ROOT,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external: ['rxjs'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength, metafile: result.metafile };
}

/** Bytes each package contributes to the minified output (before gzip). */
function bytesByPackage(metafile: Metafile): Map<string, number> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
      const owner = match ? match[1]! : path.startsWith('lib/') ? 'this library' : path;
      totals.set(owner, (totals.get(owner) ?? 0) + bytesInOutput);
    }
  }
  return totals;
}

/** fp-ts modules that still have code in the output: tree shaking should leave few. */
function fpTsModules(metafile: Metafile): string[] {
  const modules: string[] = [];
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/fp-ts\/(.+)$/.exec(path);
      if (match && bytesInOutput > 0) modules.push(`${match[1]!} (${bytesInOutput} B)`);
    }
  }
  return modules.sort();
}

/** Node built-ins anywhere in the graph: a browser bundle must have none. */
function nodeBuiltins(metafile: Metafile): string[] {
  const builtins = new Set(builtinModules);
  const isBuiltin = (path: string): boolean => path.startsWith('node:') || builtins.has(path.split('/')[0]!);
  const found = new Set<string>();
  for (const [path, input] of Object.entries(metafile.inputs)) {
    if (isBuiltin(path)) found.add(path);
    for (const imported of input.imports) if (isBuiltin(imported.path)) found.add(imported.path);
  }
  return [...found].sort();
}

/** Deterministic and fast (~0.3 s): a smoke run measures exactly what a full run does. */
export async function run(options: BenchOptions): Promise<BenchSection> {
  // A Node built-in cannot be resolved for the browser platform: that fails the build, so a
  // failed build is reported as such rather than thrown.
  let main: Bundle;
  try {
    main = await bundle(`export { zipProgress$ } from ${JSON.stringify(ENTRY)};`);
  } catch (error) {
    return {
      title: 'Bundle size',
      table: `| measure | figure | target | met |\n|---|---|---|---|\n| browser bundle of zipProgress$ builds | no | builds, no Node built-in | NO |`,
      passed: false,
      notes: [`esbuild failed: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  const ky = await bundle(`export { default } from 'ky';`);
  const ioTs = await bundle(`export * from 'io-ts';`);
  // The floor set by the two runtime dependencies the project chose: ky to send, io-ts to decode
  // (one codec pulls in all of io-ts: its module is not tree-shakable), before any code of ours.
  const floor = await bundle(
    `import ky from 'ky'; import * as t from 'io-ts'; export const Body = t.type({ result: t.literal(0), files: t.number }); export { ky };`,
  );

  const builtins = nodeBuiltins(main.metafile);
  const fpTs = fpTsModules(main.metafile);
  const sizeOk = main.gzipped <= TARGET_GZIP_BYTES;
  const builtinsOk = builtins.length === 0;
  const parts = [...bytesByPackage(main.metafile)].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => `${name} ${kb(bytes)}`);
  const table = [
    '| bundle (esbuild, minified, esm, browser, rxjs external) | minified | gzip -9 | target | met |',
    '|---|---|---|---|---|',
    `| \`import { zipProgress$ } from 'pcloud-zip-progress'\` | ${kb(main.minified)} | ${kb(main.gzipped)} | <= ${kb(TARGET_GZIP_BYTES)} gzip | ${sizeOk ? 'yes' : 'NO'} |`,
    `| reference: \`import ky from 'ky'\` alone | ${kb(ky.minified)} | ${kb(ky.gzipped)} | - | - |`,
    `| reference: \`io-ts\` alone (every export) | ${kb(ioTs.minified)} | ${kb(ioTs.gzipped)} | - | - |`,
    `| reference: ky + one io-ts codec, no code of ours (the dependencies' floor) | ${kb(floor.minified)} | ${kb(floor.gzipped)} | - | - |`,
    `| Node built-ins in the zipProgress$ graph | ${builtinsOk ? 'none' : builtins.join(', ')} | - | none | ${builtinsOk ? 'yes' : 'NO'} |`,
    `| fp-ts modules left in the zipProgress$ bundle | ${fpTs.length} | - | - | - |`,
  ].join('\n');
  return {
    title: 'Bundle size',
    table,
    passed: sizeOk && builtinsOk,
    notes: [
      `Minified bytes by package: ${parts.join(', ')}.`,
      `fp-ts modules with code in the output: ${fpTs.length === 0 ? 'none' : fpTs.join(', ')}.`,
      `${options.smoke ? 'Smoke run, identical to a full one (sizes are deterministic). ' : ''}Measured with the esbuild API (bundle, minify, format esm, platform browser, rxjs external) and zlib gzip level 9; npx size-limit checks the same entry against .size-limit.cjs.`,
    ],
  };
}
