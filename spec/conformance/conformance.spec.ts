/**
 * The conformance suite in `npm test`: the same checks as `npm run conformance`, against the
 * emulator in this process and against the emulator as its own process, reached by URL and
 * environment variables alone (the path a live run takes).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.js';
import { CHECKS } from './checks.js';
import { emulatorProcesses, inProcessEmulator } from './emulator-targets.js';
import { renderReport } from './report.js';
import { runConformance, summaryLine } from './suite.js';
import type { ConformanceRun } from './suite.js';
import { ConformanceConfigError, otherPCloudRegion, targetFromEnv } from './target.js';

const CHECK_IDS = CHECKS.map((check) => check.id);

/** One check's outcome as `status: detail`, so a failure shows what the check saw. */
function outcomeOf(run: ConformanceRun, id: string): string {
  const outcome = run.outcomes.find((o) => o.id === id);
  return outcome === undefined ? 'missing' : `${outcome.status}: ${outcome.detail}`;
}

describe('conformance against the emulator in process', () => {
  let run: ConformanceRun;
  beforeAll(async () => {
    const emulator = await inProcessEmulator();
    try {
      run = await runConformance(emulator.target);
    } finally {
      await emulator.stop();
    }
  }, 60_000);

  it.each(CHECK_IDS)('%s holds', (id) => {
    expect(outcomeOf(run, id)).toMatch(/^passed: /);
  });
});

describe('conformance against the emulator as its own process, by URL', () => {
  let processes: Awaited<ReturnType<typeof emulatorProcesses>>;
  let run: ConformanceRun;
  beforeAll(async () => {
    processes = await emulatorProcesses();
    const target = targetFromEnv(processes.env);
    if (target === undefined) throw new Error('the environment names no target');
    run = await runConformance(target);
  }, 90_000);
  afterAll(async () => {
    await processes?.stop();
  });

  it.each(CHECK_IDS)('%s holds', (id) => {
    expect(outcomeOf(run, id)).toMatch(/^passed: /);
  });

  it('npm run conformance with that environment prints each outcome and the summary, writes the report, and shows no token', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'conformance-report-'));
    try {
      const cli = await runCli('spec/conformance/run.ts', [], { ...processes.env, PCLOUD_CONFORMANCE_REPORT_DIR: reports }, 60_000);
      const lines = cli.stdout.trim().split('\n');
      const summary = lines.at(-1) ?? '';
      expect(summary).toMatch(/^\d+ passed, \d+ failed, \d+ skipped$/);
      const [passed = 0, failed = 0, skipped = 0] = (summary.match(/\d+/g) ?? []).map(Number);
      expect(passed + failed + skipped).toBe(CHECKS.length);
      expect(cli.code).toBe(failed > 0 ? 1 : 0);
      for (const id of CHECK_IDS) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^(passed|failed|skipped) +${id}: `)));
      const [file] = readdirSync(reports);
      expect(file).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.md$/);
      const report = readFileSync(join(reports, file!), 'utf8');
      expect(report).toContain(`Result: ${summary}`);
      expect(report).toContain(`Target: ${processes.env.PCLOUD_CONFORMANCE_URL}`);
      for (const id of CHECK_IDS) expect(report).toMatch(new RegExp(`^\\| ${id} \\|`, 'm'));
      const tokens = [processes.env.PCLOUD_AUTH, processes.env.PCLOUD_ACCESS_TOKEN, processes.env.PCLOUD_AUTH_B];
      for (const token of tokens) {
        expect(token).toBeTruthy();
        for (const text of [cli.stdout, cli.stderr, report]) expect(text).not.toContain(token);
      }
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('conformance targets from the environment', () => {
  const live = { PCLOUD_CONFORMANCE_URL: 'https://eapi.pcloud.com/', PCLOUD_AUTH: 'a-token', PCLOUD_SCRATCH_FOLDER: '/conformance' };

  it('names no target without a URL: the runner then starts the emulator', () => {
    expect(targetFromEnv({ PCLOUD_AUTH: 'a-token' })).toBeUndefined();
  });

  it('reads a live account, derives the other region, and skips the binding check without a second account', () => {
    const target = targetFromEnv(live);
    expect(target).toMatchObject({ apiUrl: 'https://eapi.pcloud.com', account: { auth: 'a-token' }, accountB: undefined, scratchFolder: '/conformance', otherRegionUrl: 'https://api.pcloud.com' });
    expect(targetFromEnv({ ...live, PCLOUD_CONFORMANCE_URL: undefined, PCLOUD_API_URL: 'https://api.pcloud.com' })?.otherRegionUrl).toBe('https://eapi.pcloud.com');
    expect(otherPCloudRegion('https://proxy.example')).toBeUndefined();
  });

  it.each([
    [{ ...live, PCLOUD_AUTH: undefined }, /PCLOUD_AUTH/],
    [{ ...live, PCLOUD_SCRATCH_FOLDER: undefined }, /PCLOUD_SCRATCH_FOLDER/],
    [{ ...live, PCLOUD_SCRATCH_FOLDER: '/' }, /not the root/],
    [{ ...live, PCLOUD_CONFORMANCE_URL: 'eapi.pcloud.com' }, /not a URL/],
  ])('refuses an environment that cannot describe a target (%#)', (env, message) => {
    expect(() => targetFromEnv(env)).toThrow(ConformanceConfigError);
    expect(() => targetFromEnv(env)).toThrow(message);
  });

  it('a live run without a second account reports the binding check as skipped, not failed', async () => {
    const emulator = await inProcessEmulator();
    try {
      const run = await runConformance({ ...emulator.target, accountB: undefined });
      expect(outcomeOf(run, 'login-binding')).toBe('skipped: needs a second account (PCLOUD_AUTH_B or PCLOUD_ACCESS_TOKEN_B)');
      expect(renderReport(run)).toContain(summaryLine(run));
    } finally {
      await emulator.stop();
    }
  }, 30_000);
});
