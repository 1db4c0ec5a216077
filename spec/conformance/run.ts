/**
 * `npm run conformance`: the contract suite against one target, with a dated report.
 *
 * Without `PCLOUD_CONFORMANCE_URL` (or `PCLOUD_API_URL`) it starts the emulator in this process.
 * With it, the target is that server, reached by URL alone, with the tokens and scratch folder
 * from the environment (see README, "Conformance"). Exit code 0 when nothing failed, 1 when a check
 * failed, 2 when the environment cannot describe a target.
 */
import { inProcessEmulator } from './emulator-targets.js';
import type { RunningTarget } from './emulator-targets.js';
import { writeReport } from './report.js';
import { runConformance, summaryLine } from './suite.js';
import { ConformanceConfigError, targetFromEnv } from './target.js';

async function targetOf(env: NodeJS.ProcessEnv): Promise<RunningTarget> {
  const target = targetFromEnv(env);
  return target === undefined ? inProcessEmulator() : { target, stop: async () => undefined };
}

async function main(): Promise<number> {
  let running: RunningTarget;
  try {
    running = await targetOf(process.env);
  } catch (error) {
    if (!(error instanceof ConformanceConfigError)) throw error;
    console.error(`conformance: ${error.message}`);
    return 2;
  }
  try {
    console.log(`conformance: checking ${running.target.label}`);
    const run = await runConformance(running.target);
    for (const o of run.outcomes) console.log(`${o.status.padEnd(7)} ${o.id}: ${o.detail}`);
    const path = writeReport(run, process.env.PCLOUD_CONFORMANCE_REPORT_DIR ?? '.tmp/conformance');
    console.log(`report: ${path}`);
    console.log(summaryLine(run));
    return run.outcomes.some((o) => o.status === 'failed') ? 1 : 0;
  } finally {
    await running.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`conformance: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
