/**
 * Runs the contract against one target: the zip run first (several checks read it), then every
 * check in order, each on its own connections.
 */
import { CHECKS, CheckFailed, CheckSkipped } from './checks.js';
import type { Check } from './checks.js';
import { redact } from '../../lib/redact/redact.js';
import { secretsOf } from './target.js';
import type { ConformanceTarget } from './target.js';
import { runZip } from './zip-run.js';
import type { ZipRun } from './zip-run.js';

/** How one check ended. */
export type CheckStatus = 'passed' | 'failed' | 'skipped';

/** One check's outcome, scrubbed of the target's tokens. */
export interface CheckOutcome {
  readonly id: string;
  readonly behaviour: string;
  readonly source: string;
  readonly status: CheckStatus;
  /** What was seen (passed), what went wrong (failed) or why it could not run (skipped). */
  readonly detail: string;
}

/** A whole run: when, against what, and each check's outcome. */
export interface ConformanceRun {
  readonly startedAt: Date;
  readonly target: string;
  /** Where the run left its files in the scratch folder, if it got that far. */
  readonly wrote: readonly string[];
  readonly outcomes: readonly CheckOutcome[];
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
}

async function runCheck(check: Check, target: ConformanceTarget, zip: ZipRun | Error): Promise<Omit<CheckOutcome, 'id' | 'behaviour' | 'source'>> {
  try {
    return { status: 'passed', detail: await check.run({ target, zip }) };
  } catch (error) {
    if (error instanceof CheckSkipped) return { status: 'skipped', detail: error.message };
    const prefix = error instanceof CheckFailed ? '' : `${error instanceof Error ? error.name : 'error'}: `;
    return { status: 'failed', detail: `${prefix}${message(error)}` };
  }
}

/** Runs every check against `target`; never rejects on a failing check. */
export async function runConformance(target: ConformanceTarget): Promise<ConformanceRun> {
  const startedAt = new Date();
  const secrets = secretsOf(target);
  const zip = await runZip(target).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const outcomes: CheckOutcome[] = [];
  for (const check of CHECKS) {
    const { status, detail } = await runCheck(check, target, zip);
    outcomes.push({ id: check.id, behaviour: check.behaviour, source: check.source, status, detail: redact(detail, secrets).replace(/\s+/g, ' ') });
  }
  const wrote = zip instanceof Error ? [] : [`${zip.folderPath}/ (${zip.files.size} files)`, zip.zipPath];
  return { startedAt, target: target.label, wrote, outcomes };
}

/** `N passed, N failed, N skipped`. */
export function summaryLine(run: ConformanceRun): string {
  const count = (status: CheckStatus): number => run.outcomes.filter((o) => o.status === status).length;
  return `${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`;
}
