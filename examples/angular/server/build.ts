/**
 * Builds the Angular app with the Angular CLI (`ng build`, application builder, production
 * configuration) into a folder under .tmp/, and returns the folder the browser loads.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface BuildOptions {
  /** examples/angular, the Angular workspace (angular.json), as an absolute path. */
  readonly workspace: string;
  /** Where the build goes; its `browser/` subfolder is what is served. Default .tmp/angular/dist. */
  readonly outputPath?: string;
  /** Where ng's output goes (default: this process's stderr, so a failed build tells why). */
  readonly log?: (chunk: string) => void;
}

/** Runs `ng build`; resolves with the served folder, rejects with ng's output when it fails. */
export async function buildAngularApp({ workspace, outputPath = join(workspace, '../../.tmp/angular/dist'), log }: BuildOptions): Promise<string> {
  // The repository's own CLI (node_modules at the root), run by this Node.
  const ng = join(workspace, '../../node_modules/@angular/cli/bin/ng.js');
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, [ng, 'build', '--output-path', outputPath], {
      cwd: workspace,
      // No analytics prompt, no colours in logs.
      env: { ...process.env, NG_CLI_ANALYTICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString();
      output.push(text);
      log?.(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', fail);
    child.on('close', done);
  });
  const browser = join(outputPath, 'browser');
  if (code !== 0 || !existsSync(join(browser, 'index.html'))) {
    throw new Error(`ng build failed (exit ${code}):\n${output.join('').trim()}`);
  }
  return browser;
}
