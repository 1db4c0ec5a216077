/**
 * `npm run bench [-- --smoke] [-- --strict] [-- --only=scale,size]`: runs every bench section (or
 * the ones named), prints each table with its targets, and (full runs only) writes them all to
 * spec/bench/results.md with the machine they ran on.
 *
 * Sections are loaded dynamically and run one by one, so a section that throws is reported as
 * failed instead of breaking the others. `--strict` exits with 1 when a target is missed.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchOptions, BenchSection } from './section.js';

/** The section modules, in the order they are printed. */
const SECTIONS = ['efficiency', 'overhead', 'scale', 'size'] as const;

/** What happened to one section. */
type SectionOutcome =
  | { readonly kind: 'done'; readonly name: string; readonly section: BenchSection; readonly seconds: number }
  | { readonly kind: 'failed'; readonly name: string; readonly reason: string };

type SectionModule = { readonly run: (options: BenchOptions) => Promise<BenchSection> };

function isSectionModule(value: unknown): value is SectionModule {
  return typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'function';
}

/** Loads and runs one section; never throws (a broken section must not hide the others). */
async function runSection(dir: string, name: string, options: BenchOptions): Promise<SectionOutcome> {
  try {
    const loaded: unknown = await import(pathToFileURL(join(dir, `${name}.ts`)).href);
    if (!isSectionModule(loaded)) throw new Error(`spec/bench/${name}.ts exports no run(options)`);
    const started = performance.now();
    const section = await loaded.run(options);
    return { kind: 'done', name, section, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    return { kind: 'failed', name, reason: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

/** One outcome as markdown: heading, verdict, table and notes. */
function formatOutcome(outcome: SectionOutcome): string {
  if (outcome.kind === 'failed') return `## ${outcome.name}\n\n**Failed to run:**\n\n\`\`\`\n${outcome.reason}\n\`\`\`\n`;
  const { section, seconds } = outcome;
  const verdict = section.passed ? 'all targets met' : '**some targets missed**';
  const notes = (section.notes ?? []).map((note) => `- ${note}`);
  return [`## ${section.title}`, '', `${verdict} (ran in ${seconds.toFixed(1)} s)`, '', section.table, '', ...notes, ''].join('\n');
}

/** The header of results.md: when, and on what. */
function machineHeader(smoke: boolean, now = new Date()): string {
  const cpus = os.cpus();
  return [
    '# Benchmark results',
    '',
    `- Date: ${now.toISOString()}`,
    `- Node: ${process.version} (${process.platform} ${process.arch})`,
    `- CPU: ${cpus[0]?.model.trim() ?? 'unknown'}, ${cpus.length} cores`,
    `- Mode: ${smoke ? 'smoke (`npm run bench -- --smoke`)' : 'full (`npm run bench`)'}`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const strict = args.includes('--strict');
  // `--only=scale,size`: just those sections, printed; results.md is written by full runs only.
  // A bare `--only` (e.g. `--only scale,size`) would otherwise be ignored and overwrite results.md.
  if (args.includes('--only')) throw new Error('--only needs its sections after "=": use --only=a,b (e.g. --only=scale,size)');
  const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const only = onlyArg === undefined ? undefined : onlyArg.split(',');
  const unknown = (only ?? []).filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`--only: unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
  const dir = dirname(fileURLToPath(import.meta.url));
  const outcomes: SectionOutcome[] = [];
  for (const name of SECTIONS.filter((n) => only === undefined || only.includes(n))) {
    process.stderr.write(`bench: ${name}${smoke ? ' (smoke)' : ''}...\n`);
    // Charts are written with results.md only (full runs of every section).
    const outcome = await runSection(dir, name, { smoke, ...(smoke || only !== undefined ? {} : { chartsDir: dir }) });
    outcomes.push(outcome);
    process.stdout.write(`\n${formatOutcome(outcome)}\n`);
  }
  const report = [machineHeader(smoke), ...outcomes.map(formatOutcome)].join('\n');
  if (smoke || only !== undefined) {
    process.stderr.write(`bench: ${smoke ? 'smoke' : 'partial'} run, results.md left as it is\n`);
  } else {
    await writeFile(join(dir, 'results.md'), report);
    process.stderr.write('bench: wrote spec/bench/results.md\n');
  }
  const failed = outcomes.filter((o) => o.kind === 'failed').map((o) => o.name);
  const missed = outcomes.filter((o) => o.kind === 'done' && !o.section.passed).map((o) => o.name);
  if (missed.length > 0) process.stderr.write(`bench: targets missed in ${missed.join(', ')}\n`);
  if (failed.length > 0 || (strict && missed.length > 0)) process.exitCode = 1;
}

await main();
