/** Jest runs TypeScript through SWC (fast, no type-check: `npm run typecheck` does that). */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.(t|j)s$': swc },
  // ky is ESM-only: let SWC turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!ky/)'],
  // Sources import './x.js' (NodeNext style); map that to the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 20000,
};
