/**
 * Every `@example` of the public API compiles: walks the exports of the two entry points
 * (lib/index.ts, lib/testing/index.ts) as jsdoc.spec.ts does, takes each `@example` of an
 * export, of its members (static `is` guards, methods) and of the entry's own module comment,
 * and type-checks them all in one program with the project's compiler options (tsconfig.json)
 * against the library sources: `pcloud-zip-progress` and `pcloud-zip-progress/testing` resolve
 * to lib/.
 *
 * An example is its ```ts fences (or its whole text when it has no fence), compiled as an ES
 * module. Library names an example uses without importing them are imported for it (a snippet
 * may leave out the import line); every other free name must be declared in PRELUDE below, a
 * short typed list of the stand-ins examples use (a hash, a token, a progress bar, ...).
 */
import { join, relative } from 'node:path';
import ts from 'typescript';
import { tsconfigOptions } from './tsconfig-options.js';

const ROOT = join(__dirname, '..', '..');
const ENTRIES = [
  { file: 'lib/index.ts', specifier: 'pcloud-zip-progress' },
  { file: 'lib/node.ts', specifier: 'pcloud-zip-progress/node' },
  { file: 'lib/testing/index.ts', specifier: 'pcloud-zip-progress/testing' },
] as const;

/** The free names examples may use, declared once for all of them. */
const PRELUDE = `
declare const progresshash: string;
declare const auth: string;
declare const token: string;
declare const error: unknown;
declare const bar: { update(fraction: number): void };
declare const log: { warn(...values: unknown[]): void };
declare function relogin(): void;
declare function showProxyHelp(): void;
declare function fetchStatus(): Promise<{ percent: number }>;
declare const fake: import('pcloud-zip-progress/testing').FakePCloud;
declare const user: import('pcloud-zip-progress/testing').FakeUser;
`;

const DIR = join(ROOT, 'spec', 'packaging', '__examples__');
const PRELUDE_FILE = join(DIR, 'prelude.d.ts');

interface Example {
  /** Where it comes from, for the report: `entry: Export.member #n`. */
  readonly origin: string;
  readonly code: string;
}

function compilerOptions(): ts.CompilerOptions {
  const paths = Object.fromEntries(ENTRIES.map((entry) => [entry.specifier, [join(ROOT, entry.file)]]));
  return { ...tsconfigOptions(ROOT, 'tsconfig.json'), paths };
}

function libraryProgram(options: ts.CompilerOptions): ts.Program {
  return ts.createProgram({ rootNames: ENTRIES.map((entry) => join(ROOT, entry.file)), options });
}

/** The code of one `@example`: its ```ts fences, or the whole text without one. */
function codeOf(text: string): string[] {
  const fences = [...text.matchAll(/```([a-z]*)\n([\s\S]*?)```/g)];
  if (fences.length === 0) return [text];
  return fences.filter((fence) => ['', 'ts', 'typescript'].includes(fence[1] ?? '')).map((fence) => fence[2] ?? '');
}

function examplesOf(node: ts.Node): string[] {
  return ts
    .getJSDocTags(node)
    .filter((tag) => tag.tagName.text === 'example')
    .flatMap((tag) => codeOf(ts.getTextOfJSDocComment(tag.comment) ?? ''));
}

/** An export's declarations and, for classes and interfaces, their members. */
function documentedNodes(declaration: ts.Declaration): { node: ts.Node; member?: string }[] {
  const node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  const nodes: { node: ts.Node; member?: string }[] = [{ node }];
  if (ts.isClassDeclaration(declaration) || ts.isInterfaceDeclaration(declaration)) {
    for (const member of declaration.members) nodes.push({ node: member, member: member.name?.getText() ?? '(member)' });
  }
  return nodes;
}

interface Collected {
  readonly examples: Example[];
  /** Export name -> the entry specifier and whether it is a value (else a type only). */
  readonly exports: Map<string, { specifier: string; value: boolean }>;
}

function collect(program: ts.Program): Collected {
  const checker = program.getTypeChecker();
  const examples: Example[] = [];
  const exports = new Map<string, { specifier: string; value: boolean }>();
  for (const entry of ENTRIES) {
    const source = program.getSourceFile(join(ROOT, entry.file));
    if (source === undefined) throw new Error(`${entry.file} is not in the program`);
    const first = source.statements[0];
    if (first !== undefined) examplesOf(first).forEach((code, i) => examples.push({ origin: `${entry.file} (module) #${i + 1}`, code }));
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`${entry.file} has no module symbol`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = exported.getName();
      if (!exports.has(name)) exports.set(name, { specifier: entry.specifier, value: (symbol.flags & ts.SymbolFlags.Value) !== 0 });
      for (const declaration of symbol.getDeclarations() ?? []) {
        for (const { node, member } of documentedNodes(declaration)) {
          examplesOf(node).forEach((code, i) => examples.push({ origin: `${entry.file}: ${name}${member === undefined ? '' : `.${member}`} #${i + 1}`, code }));
        }
      }
    }
  }
  return { examples, exports };
}

/** Names an example imports or declares at its top level. */
function boundNames(source: ts.SourceFile): Set<string> {
  const bound = new Set<string>();
  const bind = (name: ts.BindingName | undefined): void => {
    if (name === undefined) return;
    if (ts.isIdentifier(name)) bound.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name !== undefined) bound.add(clause.name.text);
      const named = clause?.namedBindings;
      if (named !== undefined && ts.isNamedImports(named)) for (const element of named.elements) bound.add(element.name.text);
      if (named !== undefined && ts.isNamespaceImport(named)) bound.add(named.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bind(declaration.name);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && statement.name !== undefined) {
      bound.add(statement.name.text);
    }
  }
  return bound;
}

/** The example as a module: library names it uses but does not import are imported for it. */
function asModule(code: string, exports: Collected['exports']): string {
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022, true);
  const bound = boundNames(source);
  const used = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && exports.has(node.text) && !bound.has(node.text)) used.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  const imports = [...used].map((name) => {
    const { specifier, value } = exports.get(name)!;
    return `import ${value ? '' : 'type '}{ ${name} } from '${specifier}';`;
  });
  return `${imports.join('\n')}\n${code}\nexport {};\n`;
}

function compile(examples: readonly Example[], exports: Collected['exports'], options: ts.CompilerOptions): string[] {
  const files = new Map<string, string>([[PRELUDE_FILE, PRELUDE]]);
  const origins = new Map<string, string>();
  examples.forEach((example, i) => {
    const file = join(DIR, `example-${i}.mts`);
    files.set(file, asModule(example.code, exports));
    origins.set(file, example.origin);
  });
  const disk = ts.createCompilerHost(options);
  const host: ts.CompilerHost = {
    ...disk,
    getSourceFile: (fileName, language, ...rest) => {
      const text = files.get(fileName);
      return text === undefined ? disk.getSourceFile(fileName, language, ...rest) : ts.createSourceFile(fileName, text, language, true);
    },
    fileExists: (fileName) => files.has(fileName) || disk.fileExists(fileName),
    readFile: (fileName) => files.get(fileName) ?? disk.readFile(fileName),
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const file = diagnostic.file;
    if (file === undefined) return message;
    const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const where = origins.get(file.fileName) ?? relative(ROOT, file.fileName);
    const code = file.text.split('\n')[line]?.trim() ?? '';
    return `${where}: ${message}\n    ${code}`;
  });
}

describe('@example blocks of the public API', () => {
  const options = compilerOptions();
  const { examples, exports } = collect(libraryProgram(options));

  it('finds the examples of both entry points, their classes\u2019 members and the module comments', () => {
    const origins = examples.map((example) => example.origin);
    expect(origins).toEqual(expect.arrayContaining([
      expect.stringMatching(/^lib\/index.ts: zipProgress\$ #1$/),
      expect.stringMatching(/^lib\/index.ts: PCloudApiError.is #1$/),
      expect.stringMatching(/^lib\/testing\/index.ts \(module\) #1$/),
      expect.stringMatching(/^lib\/testing\/index.ts: startFakePCloud #1$/),
    ]));
    expect(examples.length).toBeGreaterThan(30);
  });

  // One program for all (a compile takes seconds): the examples and one that must fail, to
  // prove that the check can fail.
  const BROKEN = '(a deliberately broken example)';
  let reports: string[] = [];
  beforeAll(() => {
    reports = compile([...examples, { origin: BROKEN, code: 'zipProgress$({ progresshash: 5 });' }], exports, options);
  }, 60_000);

  it('every example type-checks against the library', () => {
    expect(reports.filter((report) => !report.startsWith(BROKEN))).toEqual([]);
  });

  it('a broken example is reported (the check can fail)', () => {
    expect(reports.filter((report) => report.startsWith(BROKEN)).join('\n')).toMatch(/Type 'number' is not assignable to type 'string'/);
  });
});
