/**
 * The published package as a consumer gets it: `npm pack` (prepack builds dist/) of a copy of
 * the repository (without node_modules, dist, .git), so a spec never rewrites the working tree's
 * dist/; or the tarball in PCLOUD_ZIP_PROGRESS_TARBALL (.ci/run packs once for every spec).
 * Shared by consumer.spec.ts and readme-blocks.spec.ts.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = join(__dirname, '..', '..');
export const SETUP_TIMEOUT = 180_000;
export const RUN_TIMEOUT = 60_000;

/** The child npm must not see this run's npm_* variables (npm_config_local_prefix etc. point at the repo). */
export function childEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_') || keep.has(key.toLowerCase())) env[key] = value;
  }
  return env;
}

/** Runs a command; its failure says which command, where, and what it printed. */
export async function sh(file: string, args: readonly string[], cwd: string, timeout = RUN_TIMEOUT): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, env: childEnv(), timeout, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: error });
  }
}

/** Packs a copy of the repository under `work` (or takes PCLOUD_ZIP_PROGRESS_TARBALL); returns the tarball path. */
export async function pack(work: string): Promise<string> {
  const given = process.env.PCLOUD_ZIP_PROGRESS_TARBALL;
  if (given !== undefined && given !== '') return given;
  const copy = join(work, 'repo');
  const skip = new Set(['node_modules', 'dist', '.git', 'coverage', '.tmp', 'docs']);
  // Any node_modules, not only the top one: .ci/node-lines/node_modules holds ~800 MB of Node builds.
  const copied = (src: string): boolean => {
    const parts = relative(ROOT, src).split(/[\\/]/);
    return !skip.has(parts[0] ?? '') && !parts.includes('node_modules');
  };
  cpSync(ROOT, copy, { recursive: true, filter: copied });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const out = join(work, 'tarball');
  mkdirSync(out);
  await sh('npm', ['pack', '--pack-destination', out], copy, SETUP_TIMEOUT);
  const tgz = readdirSync(out).find((name) => name.endsWith('.tgz'));
  if (tgz === undefined) throw new Error('npm pack produced no tarball');
  return join(out, tgz);
}
