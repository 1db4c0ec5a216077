/**
 * `npm run demo`: start a zip with saveZip$ and watch it to the end with a live progress bar.
 * With no arguments it runs on the embedded pCloud emulator; `--help` tells the rest.
 */
import { lastValueFrom, tap } from 'rxjs';
import { DEFAULT_API_URL, type PCloudFileMetadata, saveZip$, type SaveZipEvent, type SaveZipOptions } from '../../lib/node.js';
import { startFakePCloud, type FakePCloud } from '../../lib/testing/index.js';
import { DemoUsageError, HELP, parseDemoArgs, type DemoPlan } from './args.js';
import { flakyInjector } from './flaky.js';
import { formatBytes, progressView } from './render.js';
import { planDemoTree, writeDemoTree } from './seed.js';
import { compareEntries, listZip } from './verify-zip.js';

const out = process.stdout;

/** The host part of an API base URL, e.g. `api7.pcloud.com` or `127.0.0.1:4567`. */
function hostOf(apiUrl: string | URL): string {
  return new URL(apiUrl).host;
}

/**
 * Runs one saveZip$ with a live view; Ctrl-C aborts it. `onEvent` sees each event first (the
 * `--flaky` faults).
 */
async function runZip(options: SaveZipOptions, onEvent?: (event: SaveZipEvent) => void): Promise<Extract<SaveZipEvent, { type: 'saved' }>> {
  const controller = new AbortController();
  const onSigint = (): void => {
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const view = progressView(out);
  // Where the polls go: apiUrl, until `started` names the host saveZip$ pinned (api7.pcloud.com).
  let host = hostOf(options.apiUrl ?? DEFAULT_API_URL);
  try {
    const last = await lastValueFrom(
      saveZip$({ ...options, signal: controller.signal }).pipe(
        tap((event) => {
          onEvent?.(event);
          switch (event.type) {
            case 'started':
              host = hostOf(event.job.apiUrl);
              break;
            case 'progress':
              view.update(event.progress);
              break;
            case 'saved':
              break;
            default:
              view.wait(event, host);
          }
        }),
      ),
    );
    if (last.type !== 'saved') throw new Error('saveZip$ ended without a saved event');
    return last;
  } finally {
    process.off('SIGINT', onSigint);
    // Before the caller prints its result lines, success or failure.
    view.stop();
  }
}

/** The line that reports the saved zip. */
function printSaved(metadata: PCloudFileMetadata): void {
  out.write(`saved ${metadata.path ?? metadata.name} (${formatBytes(metadata.size)}, fileid ${metadata.fileid})\n`);
}

async function runLocal(plan: Extract<DemoPlan, { kind: 'local' }>): Promise<number> {
  const files = planDemoTree(plan.files);
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  let fake: FakePCloud | undefined;
  try {
    fake = await startFakePCloud({ bytesPerSecond: totalBytes / plan.seconds });
    const user = fake.addUser();
    const folderid = writeDemoTree(user, files);
    out.write(`emulator at ${fake.url}: zipping ${files.length} files (${formatBytes(totalBytes)}) from /demo, about ${plan.seconds} s\n`);
    if (plan.flaky) out.write('flaky: the emulator will fail a few progress checks on purpose; watch the retries\n');
    const { metadata } = await runZip({ auth: user.auth, apiUrl: fake.url, folderid, topath: '/demo.zip' }, plan.flaky ? flakyInjector(fake) : undefined);
    printSaved(metadata);
    const zip = user.readFile('/demo.zip');
    if (zip === undefined) throw new Error('the saved zip is not in the emulator');
    const problems = compareEntries(await listZip(zip), new Map(files.map((f) => [f.name, f.size])));
    if (problems.length > 0) {
      out.write(`zip check FAILED:\n  ${problems.slice(0, 10).join('\n  ')}\n`);
      return 1;
    }
    out.write(`zip check ok: ${files.length} entries, ${formatBytes(totalBytes)} uncompressed\n`);
    return 0;
  } finally {
    await fake?.close();
  }
}

async function runAccount(plan: Extract<DemoPlan, { kind: 'account' }>): Promise<number> {
  out.write(`zipping on ${plan.apiUrl}\n`);
  const { metadata } = await runZip({
    auth: plan.auth,
    apiUrl: plan.apiUrl,
    folderid: plan.folderid,
    folderids: plan.folderids,
    fileids: plan.fileids,
    topath: plan.topath,
    tofolderid: plan.tofolderid,
    toname: plan.toname,
  });
  printSaved(metadata);
  return 0;
}

/** The program; resolves to its exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let plan: DemoPlan;
  try {
    plan = parseDemoArgs(argv, env);
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    // One line: the mistake stays visible above the prompt; --help has the rest.
    process.stderr.write(`demo: ${error.message} (npm run demo -- --help lists the options)\n`);
    return 2;
  }
  if (plan.kind === 'help') {
    out.write(`${HELP}\n`);
    return 0;
  }
  for (const warning of plan.warnings) process.stderr.write(`${warning}\n`);
  try {
    return plan.kind === 'local' ? await runLocal(plan) : await runAccount(plan);
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') {
      out.write('cancelled: the zip was aborted (Ctrl-C)\n');
      return 130;
    }
    const name = error instanceof Error ? error.name : 'Error';
    process.stderr.write(`failed: ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
