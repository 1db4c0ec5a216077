import { join } from 'node:path';
import ts from 'typescript';

/** The compiler options of one of the repository's tsconfig files, with nothing emitted. */
export function tsconfigOptions(root: string, file: string): ts.CompilerOptions {
  const configPath = join(root, file);
  const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  return { ...parsed.options, noEmit: true };
}
