import { defineConfig } from 'tsup';

// The public entry points (package.json "exports"): these get .d.ts / .d.cts.
const api = {
  index: 'lib/index.ts',
  // What Node resolves `pcloud-zip-progress` to (the `node` condition), and `pcloud-zip-progress/node`.
  'node/index': 'lib/node.ts',
  'testing/index': 'lib/testing/index.ts',
  // `pcloud-zip-progress/otel`: the default build, and the one Node resolves (the `node`
  // condition), whose default fetch is one connection pool per credential.
  'otel/index': 'lib/otel.ts',
  'otel/node': 'lib/otel/node.ts',
};

// tsup's d.ts step sets baseUrl, which TypeScript 6 flags as deprecated.
const tsconfig = 'tsconfig.build.json';

export default defineConfig([
  {
    // The bin (pcloud-fake-server -> dist/testing/cli.js) is ESM only: it shares the emulator
    // chunk with dist/testing/index.js and needs no types.
    entry: { ...api, 'testing/cli': 'lib/testing/cli.ts' },
    tsconfig,
    format: 'esm',
    dts: { entry: api },
    clean: true,
    // No source maps in the package: the output is unminified and close to the sources, and the
    // maps were two thirds of the unpacked size.
    sourcemap: false,
    target: 'es2022',
    platform: 'neutral',
    external: [/^node:/],
    // Keep `node:http` etc. as written (tsup 8 strips the prefix by default).
    removeNodeProtocol: false,
    treeshake: true,
  },
  {
    entry: api,
    tsconfig,
    format: 'cjs',
    dts: { entry: api },
    sourcemap: false,
    target: 'es2022',
    platform: 'node',
    removeNodeProtocol: false,
    // ky is ESM-only: without bundling it, require() of this build crashes at the first call.
    noExternal: ['ky'],
  },
]);
