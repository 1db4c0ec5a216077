import { defineConfig } from 'tsup';

const entry = {
  index: 'lib/index.ts',
  'testing/index': 'lib/testing/index.ts',
  'testing/cli': 'lib/testing/cli.ts',
};

export default defineConfig([
  {
    entry,
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
    format: 'cjs',
    dts: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    // ky is ESM-only: without bundling it, require() of this build crashes at the first call.
    noExternal: ['ky'],
  },
]);
