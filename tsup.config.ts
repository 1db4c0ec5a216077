import { defineConfig } from 'tsup';

const entry = {
  index: 'lib/index.ts',
  'testing/index': 'lib/testing/index.ts',
  'testing/cli': 'lib/testing/cli.ts',
};

// tsup's d.ts step sets baseUrl, which TypeScript 6 flags as deprecated.
const tsconfig = 'tsconfig.build.json';

export default defineConfig([
  {
    entry,
    tsconfig,
    format: 'esm',
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    external: ['node:*'],
    treeshake: true,
  },
  {
    entry,
    tsconfig,
    format: 'cjs',
    dts: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    // ky is ESM-only: without bundling it, require() of this build crashes at the first call.
    noExternal: ['ky'],
  },
]);
