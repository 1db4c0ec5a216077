/**
 * The dated report of a run, in markdown: what was checked against what, and what held.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summaryLine } from './suite.js';
import type { ConformanceRun } from './suite.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The report's markdown. */
export function renderReport(run: ConformanceRun): string {
  const lines = [
    `# pCloud conformance, ${run.startedAt.toISOString()}`,
    '',
    `Target: ${run.target}`,
    '',
    `Result: ${summaryLine(run)}`,
    '',
    run.wrote.length === 0 ? 'Wrote nothing in the scratch folder.' : `Wrote in the scratch folder (delete when done): ${run.wrote.map((w) => `\`${w}\``).join(', ')}`,
    '',
    '| check | behaviour | outcome | detail | source |',
    '| --- | --- | --- | --- | --- |',
    ...run.outcomes.map((o) => `| ${o.id} | ${cell(o.behaviour)} | ${o.status} | ${cell(o.detail)} | ${cell(o.source)} |`),
    '',
  ];
  return lines.join('\n');
}

/** Writes the report to `<dir>/<ISO time>.md` and returns its path. */
export function writeReport(run: ConformanceRun, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${run.startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.md`);
  writeFileSync(path, renderReport(run));
  return path;
}
