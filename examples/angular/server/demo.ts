/**
 * `npm run demo:angular`: builds the Angular example, starts the pCloud emulator with a seeded
 * /demo folder, serves the app on 127.0.0.1 and prints its URL. Ctrl-C stops both.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAngularApp } from './build.js';
import { startAngularDemo } from './serve.js';

const HELP = `Usage: npm run demo:angular -- [--port N] [--files N] [--seconds N]

Builds the Angular example (examples/angular), starts the local pCloud emulator with N files in
/demo, and serves the app on http://127.0.0.1:PORT/.
  --port N      the page's port (default 4200; 0 picks a free one)
  --files N     files seeded in /demo (default 300)
  --seconds N   about how long zipping /demo takes (default 20)
`;

function number(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!(Number.isInteger(parsed) && parsed >= min && parsed <= max)) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got ${value}`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, files: { type: 'string' }, seconds: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help === true) {
    process.stdout.write(HELP);
    return;
  }
  const port = number('port', values.port, 4200, 0, 65535);
  const files = number('files', values.files, 300, 1, 5000);
  const seconds = number('seconds', values.seconds, 20, 1, 600);
  process.stdout.write('building the Angular app (ng build, about a minute the first time)...\n');
  const appDir = await buildAngularApp({ workspace: join(import.meta.dirname, '..') });
  const demo = await startAngularDemo({ appDir, port, files, seconds }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${port} is in use: pass --port N (or --port 0 for any free port)`);
    throw error;
  });
  process.stdout.write(`pCloud emulator at ${demo.fake.url}, ${files} files in /demo\n`);
  process.stdout.write(`Angular app at ${demo.url}  (Ctrl-C to stop)\n`);
  const stop = (): void => {
    demo.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`demo:angular: ${message}\n`);
  process.exit(1);
});
