/**
 * The published package as a consumer gets it: `npm pack` (prepack builds dist/), `npm install`
 * of the tarball into a fresh project, then the same short program (start the emulator from
 * `pcloud-zip-progress/testing`, seed files, `saveZip$` to completion, a failing `zipProgress$`,
 * print JSON) through `import` (.mjs), `require` (.cjs: ky is ESM-only and bundled into the CJS
 * build, so this proves the first HTTP call works), and TypeScript compiled with
 * `moduleResolution` node16 (ESM .ts and CJS .cts) and bundler. Also runs the
 * `pcloud-fake-server` bin from node_modules/.bin.
 *
 * The public types match the runtime: every value the .d.ts/.d.cts of each entry declares is
 * exported by the matching build (a name declared as a const but exported as a type only would
 * compile in a consumer and throw at run time), and a consumer using a type-only export as a
 * value (`PCloudFileMetadata.is(x)`) fails to type-check.
 *
 * The pack happens in a copy of the repository (without node_modules, dist, .git; see pack.ts),
 * so running this spec never rewrites the working tree's dist/. Set PCLOUD_ZIP_PROGRESS_TARBALL
 * to a packed .tgz (e.g. from `npm run check:package -- --keep`) to skip the pack.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { childEnv, pack, ROOT, RUN_TIMEOUT, SETUP_TIMEOUT, sh } from './pack.js';

const TSC = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
const TYPE_ROOTS = join(ROOT, 'node_modules', '@types');

/** The program body, shared by every variant: `header` imports, `footer` starts main(). */
const MAIN = `
async function main() {
  const fake = await startFakePCloud({ bytesPerSecond: 100_000 });
  try {
    const user = fake.addUser();
    const { folderid } = user.mkdir('/src');
    user.writeFile('/src/a.txt', 'hello');
    user.writeFile('/src/docs/b.txt', 'x'.repeat(40_000));
    user.writeFile('/src/docs/c.bin', new Uint8Array(20_000));
    const events = await lastValueFrom(saveZip$({ auth: user.auth, apiUrl: fake.url, folderid, topath: '/out.zip' }).pipe(toArray()));
    const last = events[events.length - 1];
    // A second account right after, as a worker serving two accounts does: the emulator binds a
    // keep-alive connection to its first login, as pCloud does, so a shared connection would
    // save this zip in the first account's drive.
    const other = fake.addUser();
    const otherFolder = other.mkdir('/mine');
    other.writeFile('/mine/o.txt', 'other account');
    const otherLast = await lastValueFrom(saveZip$({ auth: other.auth, apiUrl: fake.url, folderid: otherFolder.folderid, topath: '/other.zip' }));
    const failure = await lastValueFrom(zipProgress$({ auth: 'not-a-token', apiUrl: fake.url, progresshash: 'h1' })).then(
      () => undefined,
      (error: unknown) => error,
    );
    return {
      saved: last?.type === 'saved' ? last.metadata.path : undefined,
      size: last?.type === 'saved' ? last.metadata.size : undefined,
      zipBytes: user.readFile('/out.zip')?.length,
      otherSaved: otherLast.type === 'saved' && other.readFile('/other.zip') !== undefined,
      crossed: user.stat('/other.zip') !== undefined,
      progressEvents: events.filter((event) => event.type === 'progress').length,
      lastFraction: events.reduce((fraction, event) => (event.type === 'progress' ? event.progress.fraction : fraction), 0),
      failureIsPCloudApiError: failure instanceof PCloudApiError,
      failureCode: failure instanceof PCloudApiError ? failure.code : undefined,
    };
  } finally {
    await fake.close();
  }
}
main().then(
  (result) => console.log(JSON.stringify(result)),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
`;

/** Plain-JS variants: the same program without the type annotations. */
const untyped = (source: string): string => source.replace(/\(error: unknown\)/g, '(error)');

const ESM_IMPORTS = `import { startFakePCloud } from 'pcloud-zip-progress/testing';
import { PCloudApiError, saveZip$, zipProgress$ } from 'pcloud-zip-progress';
import { lastValueFrom, toArray } from 'rxjs';
`;
const CJS_REQUIRES = `'use strict';
const { startFakePCloud } = require('pcloud-zip-progress/testing');
const { PCloudApiError, saveZip$, zipProgress$ } = require('pcloud-zip-progress');
const { lastValueFrom, toArray } = require('rxjs');
`;
// Type imports too, so the .d.ts/.d.cts chosen by each resolution mode must export them.
const TS_IMPORTS = `${ESM_IMPORTS}import type { FakePCloud, FakeUser } from 'pcloud-zip-progress/testing';
import type { SaveZipEvent, ZipProgress } from 'pcloud-zip-progress';
export type Used = [FakePCloud, FakeUser, SaveZipEvent, ZipProgress];
`;

/** A type-only export used as a value: must not compile. */
const MISUSE = `import { PCloudFileMetadata } from 'pcloud-zip-progress';
export const isMetadata: boolean = PCloudFileMetadata.is({});
`;

/** Prints the runtime export names of both entries through import and require. */
const RUNTIME_EXPORTS = `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const out = {};
for (const entry of ['pcloud-zip-progress', 'pcloud-zip-progress/node', 'pcloud-zip-progress/testing', 'pcloud-zip-progress/otel']) {
  out[entry] = { import: Object.keys(await import(entry)).sort(), require: Object.keys(require(entry)).sort() };
}
console.log(JSON.stringify(out));
`;

/** The names a declaration file exports that have a value meaning (a const, function, class...). */
function declaredValues(file: string): string[] {
  const program = ts.createProgram({
    rootNames: [file],
    options: { noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [] },
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`${file} is not a module`);
  return checker
    .getExportsOfModule(moduleSymbol)
    .filter((exported) => ((exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported).flags & ts.SymbolFlags.Value) !== 0)
    .map((exported) => exported.getName())
    .sort();
}

/**
 * `skipLibCheck: false` also type-checks the package's own .d.ts/.d.cts (and what they import:
 * rxjs, io-ts, fp-ts, @types/node), which costs ~5-10 s; the node16 project does it for both
 * files (bundler resolves the same dist/index.d.ts as node16 ESM), the bundler one skips it.
 */
function tsconfig(module: string, moduleResolution: string, dir: string, skipLibCheck: boolean): string {
  return JSON.stringify(
    {
      compilerOptions: {
        target: 'es2022',
        lib: ['es2022'],
        module,
        moduleResolution,
        strict: true,
        skipLibCheck,
        types: ['node'],
        typeRoots: [TYPE_ROOTS],
        rootDir: `src/${dir}`,
        outDir: `out/${dir}`,
      },
      include: [`src/${dir}`],
    },
    null,
    2,
  );
}

interface Result {
  saved?: string;
  size?: number;
  zipBytes?: number;
  progressEvents: number;
  lastFraction: number;
  failureIsPCloudApiError: boolean;
  failureCode?: number;
  otherSaved: boolean;
  crossed: boolean;
}

function parseResult(stdout: string): Result {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Result;
}

function expectZipped(result: Result): void {
  expect(result.saved).toBe('/out.zip');
  expect(result.size).toBeGreaterThan(100);
  expect(result.zipBytes).toBe(result.size);
  expect(result.progressEvents).toBeGreaterThanOrEqual(1);
  expect(result.lastFraction).toBe(1);
  expect(result).toMatchObject({ failureIsPCloudApiError: true, failureCode: 2000, otherSaved: true, crossed: false });
}

let work: string;
let app: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pcloud-zip-progress-consumer-'));
  const tarball = await pack(work);
  app = join(work, 'app');
  mkdirSync(join(app, 'src', 'node16'), { recursive: true });
  mkdirSync(join(app, 'src', 'bundler'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
  writeFileSync(join(app, 'esm.mjs'), untyped(ESM_IMPORTS + MAIN));
  writeFileSync(join(app, 'cjs.cjs'), untyped(CJS_REQUIRES + MAIN));
  writeFileSync(join(app, 'src', 'node16', 'esm.ts'), TS_IMPORTS + MAIN);
  writeFileSync(join(app, 'src', 'node16', 'cjs.cts'), TS_IMPORTS + MAIN);
  writeFileSync(join(app, 'src', 'bundler', 'main.ts'), TS_IMPORTS + MAIN);
  writeFileSync(join(app, 'tsconfig.node16.json'), tsconfig('node16', 'node16', 'node16', false));
  writeFileSync(join(app, 'tsconfig.bundler.json'), tsconfig('esnext', 'bundler', 'bundler', true));
  mkdirSync(join(app, 'src', 'misuse'), { recursive: true });
  writeFileSync(join(app, 'src', 'misuse', 'main.ts'), MISUSE);
  writeFileSync(join(app, 'tsconfig.misuse.json'), tsconfig('node16', 'node16', 'misuse', true));
  writeFileSync(join(app, 'exports.mjs'), RUNTIME_EXPORTS);
  // @opentelemetry/api: the optional peer dependency of pcloud-zip-progress/otel, which npm does not install by itself.
  await sh('npm', ['install', tarball, 'rxjs@^7.8', '@opentelemetry/api@~1.9.1', '--no-audit', '--no-fund', '--prefer-offline'], app, SETUP_TIMEOUT);
}, SETUP_TIMEOUT * 2);

afterAll(() => {
  if (work !== undefined && existsSync(work)) rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a fresh project', () => {
  it('works through import (ESM .mjs)', async () => {
    expectZipped(parseResult(await sh(process.execPath, ['esm.mjs'], app)));
  }, RUN_TIMEOUT);

  it('works through require (CJS .cjs, ky bundled)', async () => {
    expectZipped(parseResult(await sh(process.execPath, ['cjs.cjs'], app)));
  }, RUN_TIMEOUT);

  it('type-checks and runs under TypeScript moduleResolution node16 (ESM .ts and CJS .cts)', async () => {
    await sh(process.execPath, [TSC, '-p', 'tsconfig.node16.json'], app);
    expectZipped(parseResult(await sh(process.execPath, ['out/node16/esm.js'], app)));
    expectZipped(parseResult(await sh(process.execPath, ['out/node16/cjs.cjs'], app)));
  }, RUN_TIMEOUT);

  it('type-checks and runs under TypeScript moduleResolution bundler', async () => {
    await sh(process.execPath, [TSC, '-p', 'tsconfig.bundler.json'], app);
    expectZipped(parseResult(await sh(process.execPath, ['out/bundler/main.js'], app)));
  }, RUN_TIMEOUT);

  it('every value the .d.ts and .d.cts of each entry declare is exported at run time, and nothing else', async () => {
    const runtime = JSON.parse((await sh(process.execPath, ['exports.mjs'], app)).trim()) as Record<string, { import: string[]; require: string[] }>;
    const dist = join(app, 'node_modules', 'pcloud-zip-progress', 'dist');
    // Under Node, the package root resolves to the Node entry (the `node` export condition).
    const node = { import: declaredValues(join(dist, 'node', 'index.d.ts')), require: declaredValues(join(dist, 'node', 'index.d.cts')) };
    const declared = {
      'pcloud-zip-progress': node,
      'pcloud-zip-progress/node': node,
      'pcloud-zip-progress/testing': { import: declaredValues(join(dist, 'testing', 'index.d.ts')), require: declaredValues(join(dist, 'testing', 'index.d.cts')) },
      // Under Node, the otel entry's Node build (one pool per credential by default): the same names.
      'pcloud-zip-progress/otel': { import: declaredValues(join(dist, 'otel', 'node.d.ts')), require: declaredValues(join(dist, 'otel', 'node.d.cts')) },
    };
    expect(declared['pcloud-zip-progress/otel'].import).toEqual(['traceSaveZip', 'traceZipProgress']);
    expect(declaredValues(join(dist, 'otel', 'index.d.ts'))).toEqual(['traceSaveZip', 'traceZipProgress']);
    expect(declared['pcloud-zip-progress'].import).toEqual(expect.arrayContaining(['zipProgress$', 'saveZip$', 'PCloudZipError', 'accountFetch']));
    // The browser entry: the same API without the Node transport.
    expect(declaredValues(join(dist, 'index.d.ts'))).toEqual(node.import.filter((name) => name !== 'accountFetch'));
    expect(declared).toEqual(runtime);
  }, RUN_TIMEOUT);

  it('a type-only export used as a value does not type-check (PCloudFileMetadata.is)', async () => {
    const failure = await sh(process.execPath, [TSC, '-p', 'tsconfig.misuse.json'], app).then(
      () => 'compiled',
      (error: unknown) => String(error),
    );
    expect(failure).toMatch(/src\/misuse\/main\.ts\(2,\d+\): error TS\d+: .*'PCloudFileMetadata'/);
  }, RUN_TIMEOUT);

  it('installs the pcloud-fake-server bin: --help', async () => {
    const stdout = await sh(join(app, 'node_modules', '.bin', 'pcloud-fake-server'), ['--help'], app);
    expect(stdout).toContain('Usage: pcloud-fake-server');
  }, RUN_TIMEOUT);

  it('the bin serves until SIGTERM', async () => {
    const child = spawn(join(app, 'node_modules', '.bin', 'pcloud-fake-server'), ['--port', '0'], { cwd: app, env: childEnv() });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (\S+)[\s\S]*auth token: (\S+)/.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.on('exit', (code) => { reject(new Error(`exited with ${code} before listening:\n${output}`)); });
      });
      const res = await fetch(`${url}/currentserver`);
      expect(await res.json()).toMatchObject({ result: 0 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('pCloud emulator stopped');
  }, RUN_TIMEOUT);
});
