import presets from 'jest-preset-angular/presets/index.js';

const { createCjsPreset } = presets;

/** Jest runs TypeScript through SWC (fast, no type-check: `npm run typecheck` does that). */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

/** The library's specs (Node). */
const lib = {
  displayName: 'lib',
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  // What Node users get: the Node entry's transport (one connection pool per credential).
  setupFiles: ['<rootDir>/spec/support/node-entry.ts'],
  transform: { '^.+\\.(t|j)s$': swc },
  // ky is ESM-only: let SWC turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!ky/)'],
  // Sources import './x.js' (NodeNext style); map that to the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/**
 * The Angular example (examples/angular): TestBed under jest-preset-angular, in jsdom. ts-jest
 * transpiles file by file (isolatedModules in examples/angular/tsconfig.json); type-checking is
 * `ngc -p examples/angular/tsconfig.json` (in `npm run typecheck`).
 */
const angularPreset = createCjsPreset({ tsconfig: '<rootDir>/examples/angular/tsconfig.spec.json' });
const angular = {
  ...angularPreset,
  displayName: 'angular',
  // jsdom plus Node's fetch family and setImmediate (see the file).
  testEnvironment: '<rootDir>/examples/angular/jest-environment.cjs',
  roots: ['<rootDir>/examples/angular'],
  testMatch: ['**/*.spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/examples/angular/setup-jest.ts'],
  // Angular ships .mjs; ky is ESM-only .js: both go through the transformer.
  transformIgnorePatterns: ['/node_modules/(?!(ky/|.*\\.mjs$))'],
  moduleNameMapper: {
    // The example imports the package by name, resolved to the library's sources.
    '^pcloud-zip-progress$': '<rootDir>/lib/index.ts',
    '^pcloud-zip-progress/testing$': '<rootDir>/lib/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

/** @type {import('jest').Config} */
export default {
  projects: [lib, angular],
  // A global option: jest ignores testTimeout inside a project.
  testTimeout: 20000,
  // On 2 cores jest runs every file in band, in its own process: a failing spec that never
  // reaches its cleanup (a server left open) would otherwise keep CI waiting forever. Leaks are
  // asserted by their own specs (reliability/leaks, testing/lifecycle, timer counts).
  forceExit: true,
};
