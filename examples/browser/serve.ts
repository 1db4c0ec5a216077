/**
 * `npm run demo:web`: starts the emulator with a seeded folder and the demo page, prints the URL
 * to open, and runs until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { startWebDemo } from './server.js';
import { formatBytes } from './format.js';

const USAGE = `Usage: npm run demo:web [-- --port N] [--files N] [--seconds N]

Serves a page that zips a seeded folder on a local pCloud emulator with saveZip$ (or, switched
to "Use my pCloud account", a folder of your own account), with live progress.

  --port N      port of the page on 127.0.0.1 (default 8090; 0 picks a free one)
  --files N     files to seed in the emulator's /demo folder (default 300)
  --seconds N   how long zipping the whole folder takes on the emulator (default 20)`;

function positive(name: string, text: string | undefined, fallback: number, { allowZero = false } = {}): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(Number.isFinite(value) && (value > 0 || (allowZero && value === 0)))) throw new RangeError(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got '${text}'`);
  return value;
}

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, files: { type: 'string' }, seconds: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    options = {
      port: positive('port', values.port, 8090, { allowZero: true }),
      files: Math.round(positive('files', values.files, 300)),
      seconds: positive('seconds', values.seconds, 20),
    };
  } catch (error) {
    process.stderr.write(`demo:web: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  let demo;
  try {
    demo = await startWebDemo({ dir: import.meta.dirname, ...options });
  } catch (error) {
    const inUse = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
    process.stderr.write(inUse ? `demo:web: port ${options.port} is in use: pass another one, e.g. npm run demo:web -- --port 0\n` : `demo:web: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const { config } = demo;
  process.stdout.write(`pCloud emulator at ${config.apiUrl}: ${config.folderPath} holds ${config.files} files (${formatBytes(config.bytes)}), zipped in about ${options.seconds} s\n`);
  process.stdout.write(`web demo: open ${demo.url}  (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await demo.close();
  process.stdout.write('web demo stopped\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    // esbuild's service would keep the process alive.
    process.exit(code);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
