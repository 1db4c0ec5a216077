/**
 * Every ```ts block of README.md and of the examples' READMEs (examples/<name>/README.md, found
 * when the spec runs) type-checks against the packed package: `npm pack` as consumer.spec.ts
 * does (or PCLOUD_ZIP_PROGRESS_TARBALL), the tarball unpacked, and `pcloud-zip-progress` and
 * `pcloud-zip-progress/testing` (and `/node`, `/otel`) resolved to its .d.ts files. Other packages (rxjs, Angular,
 * BullMQ) resolve from the repository's node_modules.
 *
 * A block is compiled as written, as an ES module: it imports what it uses and may declare the
 * reader's own variables (`declare const auth: string;`), never a name the package exports. A
 * block of an example's README whose first line names a file (`// app.config.ts`) found once
 * under the README's directory is compiled beside that file, and else one whose first relative
 * import (`./zip-jobs.service`) is found once there, beside that: its relative imports reach the
 * example's sources. Any other block is compiled in the README's directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { pack, ROOT, SETUP_TIMEOUT } from './pack.js';

/** One fenced ts block: where it starts (README line of its first code line) and its code. */
interface Block {
  readonly readme: string;
  readonly line: number;
  readonly code: string;
}

/** README.md and every examples/<name>/README.md, relative to the repository. */
function readmes(): string[] {
  const examples = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'examples', entry.name, 'README.md')))
    .map((entry) => `examples/${entry.name}/README.md`);
  return ['README.md', ...examples.sort()];
}

/** The ```ts (or ```typescript) fences of a Markdown text; other languages are not compiled. */
function tsBlocks(readme: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let open: { fence: string; ts: boolean; line: number; code: string[] } | undefined;
  lines.forEach((line, i) => {
    if (open === undefined) {
      const start = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
      if (start !== null) open = { fence: start[1]!, ts: ['ts', 'typescript'].includes(start[2]!), line: i + 2, code: [] };
    } else if (line.trim().startsWith(open.fence) && line.trim().replace(/[`~]/g, '') === '') {
      if (open.ts) blocks.push({ readme, line: open.line, code: open.code.join('\n') });
      open = undefined;
    } else {
      open.code.push(line);
    }
  });
  return blocks;
}

/** Files under `dir` named `name` (not in node_modules, dist or dot directories). */
function filesNamed(dir: string, name: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesNamed(path, name));
    else if (entry.name === name) found.push(path);
  }
  return found;
}

/** Directories under `dir` holding `<specifier>.ts` for the block's first relative import. */
function importDirs(dir: string, code: string): string[] {
  const specifier = /^\s*import\b[^'"]*['"](\.\/[^'"]+)['"]/m.exec(code)?.[1];
  if (specifier === undefined) return [];
  const file = `${basename(specifier)}.ts`;
  return filesNamed(dir, file).map(dirname).filter((found) => existsSync(join(found, `${specifier}.ts`)));
}

/**
 * Where a block is compiled: beside the file its first line names, else beside the files its
 * relative imports name, else in the README's directory.
 */
function placeOf(block: Block, index: number): string {
  const readmeDir = dirname(join(ROOT, block.readme));
  const named = /^\s*\/\/\s*([\w.-]+\.ts)\b/.exec(block.code)?.[1];
  // The root README's directory is the whole repository: only the examples' names are looked up.
  const lookup = block.readme !== 'README.md' && existsSync(join(ROOT, block.readme));
  const byName = named === undefined || !lookup ? [] : filesNamed(readmeDir, named).map(dirname);
  const byImport = lookup ? importDirs(readmeDir, block.code) : [];
  const dir = byName.length === 1 ? byName[0]! : byImport.length === 1 ? byImport[0]! : readmeDir;
  return join(dir, `${basename(named ?? 'readme', '.ts')}.readme-block-${index}.ts`);
}

/** Names a block declares at its top level (not those it imports). */
function declaredNames(source: ts.SourceFile): string[] {
  const names: string[] = [];
  const bind = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) statement.declarationList.declarations.forEach((d) => { bind(d.name); });
    else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      names.push(statement.name.text);
    } else if (ts.isModuleDeclaration(statement)) {
      names.push(statement.name.text);
    }
  }
  return names;
}

/** The unpacked package's entry points. */
interface Packed {
  readonly main: string;
  /** The Node entry (`pcloud-zip-progress/node`, and the root under the `node` condition). */
  readonly node: string;
  readonly testing: string;
  readonly otel: string;
}

function unpack(tarball: string, work: string): Packed {
  const dir = join(work, 'unpacked');
  mkdirSync(dir);
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  // The package's own imports (rxjs, io-ts, ky types) resolve as in an app that installed it.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const dist = join(dir, 'package', 'dist');
  return { main: join(dist, 'index.d.ts'), node: join(dist, 'node', 'index.d.ts'), testing: join(dist, 'testing', 'index.d.ts'), otel: join(dist, 'otel', 'index.d.ts') };
}

/** An app's compiler options (strict, DOM and Node, Angular's decorators), the package mapped to the tarball. */
function compilerOptions(packed: Packed): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    experimentalDecorators: true,
    esModuleInterop: true,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
    paths: { 'pcloud-zip-progress': [packed.main], 'pcloud-zip-progress/node': [packed.node], 'pcloud-zip-progress/testing': [packed.testing], 'pcloud-zip-progress/otel': [packed.otel] },
  };
}

/** Type-checks the blocks in one program; returns one report per problem, naming the README line. */
function check(blocks: readonly Block[], packed: Packed): string[] {
  const options = compilerOptions(packed);
  const files = new Map<string, { block: Block; text: string }>();
  blocks.forEach((block, i) => files.set(placeOf(block, i), { block, text: `${block.code}\nexport {};\n` }));
  const disk = ts.createCompilerHost(options);
  const host: ts.CompilerHost = {
    ...disk,
    getSourceFile: (fileName, language, ...rest) => {
      const file = files.get(fileName);
      return file === undefined ? disk.getSourceFile(fileName, language, ...rest) : ts.createSourceFile(fileName, file.text, language, true);
    },
    fileExists: (fileName) => files.has(fileName) || disk.fileExists(fileName),
    readFile: (fileName) => files.get(fileName)?.text ?? disk.readFile(fileName),
  };
  const program = ts.createProgram({ rootNames: [packed.main, packed.node, packed.testing, packed.otel, ...files.keys()], options, host });
  const checker = program.getTypeChecker();
  const exported = new Set<string>();
  for (const entry of [packed.main, packed.node, packed.testing, packed.otel]) {
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!);
    if (symbol === undefined) throw new Error(`${entry} is not a module`);
    for (const name of checker.getExportsOfModule(symbol)) exported.add(name.getName());
  }
  if (!exported.has('saveZip$')) throw new Error('the packed package exports no saveZip$');

  const where = (fileName: string, position: number): string => {
    const file = files.get(fileName);
    const source = program.getSourceFile(fileName)!;
    const { line } = source.getLineAndCharacterOfPosition(position);
    const code = source.text.split('\n')[line]?.trim() ?? '';
    return file === undefined ? `${relative(ROOT, fileName)}:${line + 1}` : `${file.block.readme}:${file.block.line + line}: ${code}`;
  };
  const reports: string[] = [];
  for (const [fileName, { block }] of files) {
    for (const name of declaredNames(program.getSourceFile(fileName)!)) {
      if (exported.has(name) || name.includes('pcloud-zip-progress')) reports.push(`${block.readme}:${block.line}: declares the package's own ${name}`);
    }
  }
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    reports.push(diagnostic.file === undefined ? message : `${where(diagnostic.file.fileName, diagnostic.start ?? 0)}\n    ${message}`);
  }
  return reports;
}

describe('ts blocks of README.md and the examples\u2019 READMEs', () => {
  const blocks = readmes().flatMap((readme) => tsBlocks(readme, readFileSync(join(ROOT, readme), 'utf8')));
  // Two blocks that must fail, to prove the check can: a type error, and a block declaring the package's own name.
  const broken: Block[] = [
    { readme: '(broken) type error', line: 1, code: "import { zipProgress$ } from 'pcloud-zip-progress';\nzipProgress$({ progresshash: 5 });" },
    { readme: '(broken) declares', line: 1, code: 'declare function saveZip$(options: object): void;\nsaveZip$({});' },
  ];
  let work: string;
  let reports: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'pcloud-zip-progress-readme-'));
    const packed = unpack(await pack(work), work);
    reports = check([...blocks, ...broken], packed);
  }, SETUP_TIMEOUT * 2);

  afterAll(() => {
    if (work !== undefined && existsSync(work)) rmSync(work, { recursive: true, force: true });
  });

  it('finds the blocks of every README', () => {
    expect(blocks.filter((block) => block.readme === 'README.md').length).toBeGreaterThanOrEqual(8);
    expect(new Set(blocks.map((block) => block.readme))).toContain('examples/angular/README.md');
  });

  it('every block type-checks against the packed package and declares none of its names', () => {
    expect(reports.filter((report) => !report.startsWith('(broken)'))).toEqual([]);
  });

  it('a broken block is reported (the check can fail)', () => {
    const mine = reports.filter((report) => report.startsWith('(broken)')).join('\n');
    expect(mine).toMatch(/\(broken\) type error:2: .*\n.*Type 'number' is not assignable to type 'string'/);
    expect(mine).toMatch(/\(broken\) declares:1: declares the package's own saveZip\$/);
  });
});
