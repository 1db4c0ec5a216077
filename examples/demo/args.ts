import { parseArgs } from 'node:util';

/** What the demo was asked to do. */
export type DemoPlan =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'local';
      readonly seconds: number;
      readonly files: number;
      /** Whether the emulator fails now and then on purpose (`--flaky`). */
      readonly flaky: boolean;
      /** Account options given without a token: ignored, and the user is told so. */
      readonly warnings: readonly string[];
    }
  | {
      readonly kind: 'account';
      readonly auth: string;
      readonly apiUrl: string;
      readonly folderid?: number;
      readonly folderids?: number[];
      readonly fileids?: number[];
      readonly topath?: string;
      readonly tofolderid?: number;
      readonly toname?: string;
      /** Emulator options given with a token: ignored, and the user is told so. */
      readonly warnings: readonly string[];
    };

export const HELP = `npm run demo [-- options]

Starts a zip in pCloud with saveZip$ and draws its progress live.

With no options it runs on the embedded pCloud emulator: it seeds a folder of a few hundred
files of mixed sizes, zips it at a throttled speed (about 10 s), then checks that the saved zip
opens and lists the expected entries.

  --seconds N          how long the local zip should take (default 10)
  --files N            how many files to seed locally (default 300)
  --flaky              the emulator fails a few progress checks on purpose (an HTTP 503 with
                       Retry-After, a dropped connection, a pCloud 5000) to show the retries

Against a real pCloud account (token from --auth or the PCLOUD_AUTH environment variable):
  --auth TOKEN         a pCloud auth token (prefer PCLOUD_AUTH: arguments show up in ps)
  --api-url URL        https://api.pcloud.com (US, default) or https://eapi.pcloud.com (EU)
  --folderid ID        zip this folder's contents
  --folderids A,B      zip these folders
  --fileids A,B        zip these files
  --topath PATH        save the zip at this full path, e.g. /backups/demo.zip
  --tofolderid ID --toname NAME   or in this folder under this name

  --help               this text

While a check waits (a retry after a failure, pCloud not knowing the zip yet), a line says why
and counts down to the next check. Ctrl-C cancels cleanly. When stdout is not a terminal it
prints one line per update.`;

/** Bad command-line input: the message says what was wrong. */
export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

const ACCOUNT_OPTIONS = ['api-url', 'folderid', 'folderids', 'fileids', 'topath', 'tofolderid', 'toname'] as const;
const LOCAL_OPTIONS = ['seconds', 'files', 'flaky'] as const;

/** `--a, --b` for the options of `names` that were given. */
function given(values: Record<string, unknown>, names: readonly string[]): string {
  return names.filter((name) => values[name] !== undefined).map((name) => `--${name}`).join(', ');
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new DemoUsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

function integers(name: string, value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((part) => integer(name, part.trim()) ?? 0);
}

/** Reads argv (without node and the script) and the environment into a plan. */
export function parseDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv): DemoPlan {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean' },
        seconds: { type: 'string' },
        files: { type: 'string' },
        flaky: { type: 'boolean' },
        auth: { type: 'string' },
        'api-url': { type: 'string' },
        folderid: { type: 'string' },
        folderids: { type: 'string' },
        fileids: { type: 'string' },
        topath: { type: 'string' },
        tofolderid: { type: 'string' },
        toname: { type: 'string' },
      },
    }));
  } catch (error) {
    // Duck-typed: node:util's errors may come from another realm (a test runner's).
    throw new DemoUsageError(typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : 'invalid arguments');
  }
  if (values.help) return { kind: 'help' };
  const auth = values.auth ?? env.PCLOUD_AUTH;
  if (auth === undefined || auth === '') {
    // Without a token the demo runs on the emulator: say so rather than zip something else silently.
    const ignored = given(values, ACCOUNT_OPTIONS);
    const warnings = ignored === '' ? [] : [`warning: ${ignored} ignored: no token (--auth or PCLOUD_AUTH), so this runs on the local emulator`];
    const seconds = Number(values.seconds ?? '10');
    if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= 600)) throw new DemoUsageError('--seconds must be a number between 0 and 600');
    const files = integer('files', values.files) ?? 300;
    if (files < 1 || files > 5000) throw new DemoUsageError('--files must be between 1 and 5000');
    return { kind: 'local', seconds, files, flaky: values.flaky === true, warnings };
  }
  const tree = { folderid: integer('folderid', values.folderid), folderids: integers('folderids', values.folderids), fileids: integers('fileids', values.fileids) };
  if (tree.folderid === undefined && tree.folderids === undefined && tree.fileids === undefined) {
    throw new DemoUsageError('with --auth, say what to zip: --folderid, --folderids or --fileids');
  }
  const ignored = given(values, LOCAL_OPTIONS);
  return {
    kind: 'account',
    warnings: ignored === '' ? [] : [`warning: ${ignored} ignored: options of the local emulator run, not of an account`],
    auth,
    apiUrl: values['api-url'] ?? 'https://api.pcloud.com',
    ...tree,
    topath: values.topath,
    tofolderid: integer('tofolderid', values.tofolderid),
    toname: values.toname,
  };
}
