/**
 * No import cycles in lib/, type-only imports included (issue 13). ESLint's `import-x/no-cycle`
 * (eslint.config.js) guards value imports as one edits; it skips `import type` by design, and a
 * cycle of types (options.ts <-> adaptive-backoff.ts once) still ties two ideas together. This
 * spec walks every import and re-export of lib/ with the TypeScript compiler's pre-processor.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const LIB = join(__dirname, '..', '..', 'lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of each file (values, types and re-exports), as paths of .ts files. */
function importGraph(files: readonly string[], read: (file: string) => string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(read(file), true, false);
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')));
    graph.set(file, targets);
  }
  return graph;
}

/** Every cycle's files, found by depth-first search (each cycle once, from where it closes). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const seen = state.get(next);
      if (seen === 'open') found.push(stack.slice(stack.indexOf(next)));
      else if (seen === undefined && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('import cycles', () => {
  it('lib/ has none, type-only imports included', () => {
    const files = sourceFiles(LIB);
    expect(files.length).toBeGreaterThan(40);
    const graph = importGraph(files, (file) => readFileSync(file, 'utf8'));
    expect(cycles(graph).map((cycle) => cycle.map((file) => relative(LIB, file)).join(' -> '))).toEqual([]);
  });

  it('finds a cycle made only of type imports, and one through a re-export', () => {
    const sources: Record<string, string> = {
      '/x/options.ts': "import { adaptive } from './adaptive.js';\nexport type Context = { n: number };\n",
      '/x/adaptive.ts': "import type { Context } from './options.js';\nexport const adaptive = (c: Context) => c.n;\n",
      '/x/a.ts': "export { b } from './b.js';\n",
      '/x/b.ts': "import type { A } from './a.js';\nexport const b = 1;\n",
      '/x/leaf.ts': "import { b } from './b.js';\n",
    };
    const graph = importGraph(Object.keys(sources), (file) => sources[file]!);
    expect(cycles(graph)).toEqual([
      ['/x/options.ts', '/x/adaptive.ts'],
      ['/x/a.ts', '/x/b.ts'],
    ]);
  });
});
