/**
 * Every public export carries documentation: walks the exports of the entry points
 * (lib/index.ts, lib/node.ts, lib/testing/index.ts, lib/otel.ts, lib/otel/node.ts) with the TypeScript compiler API and fails when
 *   - an export has no JSDoc comment,
 *   - an exported function or class has no `@example`,
 *   - a member (property or method) of an exported interface or class has no JSDoc comment.
 * TypeDoc (`npm run docs`, typedoc.json) checks the same top level with `validation.notDocumented`;
 * this spec adds `@example` and interface members, and runs with `npm test`.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { tsconfigOptions } from './tsconfig-options.js';

const ROOT = join(__dirname, '..', '..');
const ENTRIES = ['lib/index.ts', 'lib/node.ts', 'lib/testing/index.ts', 'lib/otel.ts', 'lib/otel/node.ts'];

interface Finding {
  readonly entry: string;
  readonly name: string;
  readonly problem: string;
}

function loadProgram(): ts.Program {
  return ts.createProgram({ rootNames: ENTRIES.map((entry) => join(ROOT, entry)), options: tsconfigOptions(ROOT, 'tsconfig.build.json') });
}

/** JSDoc blocks (`/** ... *\/`) attached to a declaration (not plain comments). */
function jsDocs(node: ts.Node): ts.JSDoc[] {
  // Variables carry their JSDoc on the statement, not the declaration.
  const target = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  return ts.getJSDocCommentsAndTags(target).filter((doc): doc is ts.JSDoc => ts.isJSDoc(doc));
}

function hasText(docs: readonly ts.JSDoc[]): boolean {
  return docs.some((doc) => {
    const text = typeof doc.comment === 'string' ? doc.comment : ts.getTextOfJSDocComment(doc.comment);
    return (text ?? '').trim() !== '' || (doc.tags ?? []).length > 0;
  });
}

function hasExample(docs: readonly ts.JSDoc[]): boolean {
  return docs.some((doc) => (doc.tags ?? []).some((tag) => tag.tagName.text === 'example'));
}

function memberName(member: ts.ClassElement | ts.TypeElement): string | undefined {
  return member.name === undefined ? undefined : member.name.getText();
}

/** Members that need their own comment: public, declared (not inherited), not a constructor. */
function undocumentedMembers(declaration: ts.InterfaceDeclaration | ts.ClassDeclaration): string[] {
  const missing: string[] = [];
  for (const member of declaration.members) {
    if (ts.isConstructorDeclaration(member) || ts.isIndexSignatureDeclaration(member) || ts.isClassStaticBlockDeclaration(member)) continue;
    const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
    if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
    const name = memberName(member);
    if (name === undefined || name.startsWith('#')) continue;
    // `override readonly name = 'XError'` on an Error subclass restates the class name.
    if (ts.isClassDeclaration(declaration) && name === 'name' && modifiers.some((m) => m.kind === ts.SyntaxKind.OverrideKeyword)) continue;
    if (!hasText(jsDocs(member))) missing.push(name);
  }
  return missing;
}

function check(program: ts.Program): Finding[] {
  const checker = program.getTypeChecker();
  const findings: Finding[] = [];
  for (const entry of ENTRIES) {
    const source = program.getSourceFile(join(ROOT, entry));
    if (source === undefined) throw new Error(`${entry} is not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`${entry} has no module symbol`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = exported.getName();
      const declarations = symbol.getDeclarations() ?? [];
      if (declarations.length === 0) {
        findings.push({ entry, name, problem: 'no declaration found' });
        continue;
      }
      const docs = declarations.flatMap(jsDocs);
      if (!hasText(docs)) findings.push({ entry, name, problem: 'no JSDoc comment' });
      const callable = declarations.some((d) => ts.isFunctionDeclaration(d) || ts.isClassDeclaration(d));
      if (callable && !hasExample(docs)) findings.push({ entry, name, problem: 'no @example' });
      for (const declaration of declarations) {
        if (ts.isInterfaceDeclaration(declaration) || ts.isClassDeclaration(declaration)) {
          for (const member of undocumentedMembers(declaration)) findings.push({ entry, name: `${name}.${member}`, problem: 'no JSDoc comment' });
        }
      }
    }
  }
  return findings;
}

describe('JSDoc of the public API', () => {
  const program = loadProgram();

  it('finds the exports of every entry point', () => {
    const checker = program.getTypeChecker();
    const names = ENTRIES.map((entry) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, entry))!)!;
      return checker.getExportsOfModule(symbol).map((s) => s.getName());
    });
    expect(names[0]).toEqual(expect.arrayContaining(['zipProgress$', 'saveZip$', 'PCloudApiError', 'ZipProgressOptions']));
    expect(names[1]).toEqual(expect.arrayContaining(['zipProgress$', 'accountFetch']));
    expect(names[2]).toEqual(expect.arrayContaining(['startFakePCloud', 'FakePCloud', 'FakeUser']));
  });

  it('every export has a JSDoc comment, functions and classes an @example, interface and class members a comment', () => {
    const report = check(program).map((f) => `${f.entry}: ${f.name}: ${f.problem}`);
    expect(report).toEqual([]);
  });
});
