#!/usr/bin/env node
/**
 * `pcloud-fake-server`: run the emulator from a shell, for manual tests and demos.
 */
import { statSync } from 'node:fs';
import { startFakePCloud } from './server.js';
import type { FakePCloud } from './server.js';
import type { FakeUser } from './users.js';

/**
 * Usage text of the command.
 *
 * @example
 * console.log(USAGE);
 */
export const USAGE = `Usage: pcloud-fake-server [--port 8080] [--seed DIR] [--users N] [--bytes-per-second N] [--help]

Starts a local pCloud emulator on 127.0.0.1 with one user (or N) and prints its URL and tokens.
  --port N               TCP port (default 8080; 0 picks a free one)
  --seed DIR             copy DIR into the (first) user's root folder
  --users N              create N users (default 1) and print each one's tokens
  --bytes-per-second N   savezip speed in uncompressed bytes per second (default: unlimited)
  --help                 show this text
Stop it with Ctrl-C (SIGINT) or SIGTERM.`;

/**
 * A command line that cannot work (bad flag, missing seed directory, port in use); the message
 * says what is wrong and what to change.
 *
 * @example
 * await main(['--port', 'x']).catch((e: unknown) => e instanceof CliUsageError); // true
 */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/**
 * A running command: the server, its user, and how to stop it.
 *
 * @example
 * const handle = await main(['--port', '0'], { print: () => undefined });
 * await handle?.stop();
 */
export interface CliHandle {
  readonly fake: FakePCloud;
  /** The first user (the one --seed fills). */
  readonly user: FakeUser;
  /** Every user, the first one included (--users N). */
  readonly users: readonly FakeUser[];
  /** Closes the server and removes the signal handlers; idempotent. */
  stop(): Promise<void>;
  /** Settles when the server has been stopped (by stop() or a signal). */
  readonly stopped: Promise<void>;
}

/**
 * Where {@link main} writes and whether it listens for signals.
 *
 * @example
 * const io: CliIo = { print: (line) => lines.push(line), handleSignals: false };
 */
export interface CliIo {
  /** Output line sink; default console.log. */
  print?: (line: string) => void;
  /** Stop on SIGINT/SIGTERM; default true. */
  handleSignals?: boolean;
}

interface CliArgs {
  port: number;
  seed: string | undefined;
  users: number;
  bytesPerSecond: number | undefined;
  help: boolean;
}

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { port: 8080, seed: undefined, users: 1, bytesPerSecond: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new CliUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--port': {
        const raw = value();
        const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
        if (!(port >= 0 && port <= 65535)) throw new CliUsageError(`--port must be an integer in 0..65535, got '${raw}'`);
        args.port = port;
        break;
      }
      case '--seed':
        args.seed = value();
        break;
      case '--users': {
        const raw = value();
        const count = /^\d+$/.test(raw) ? Number(raw) : NaN;
        if (!(count >= 1 && count <= 100)) throw new CliUsageError(`--users must be an integer in 1..100, got '${raw}'`);
        args.users = count;
        break;
      }
      case '--bytes-per-second': {
        const raw = value();
        const speed = Number(raw);
        if (!(speed > 0 && Number.isFinite(speed))) throw new CliUsageError(`--bytes-per-second must be a number > 0, got '${raw}'`);
        args.bytesPerSecond = speed;
        break;
      }
      default:
        throw new CliUsageError(`Unknown argument: ${arg}`);
    }
  }
  return args;
}

/** Checked before the server starts, so that a typo does not leave a half-started emulator. */
function checkSeed(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new CliUsageError(`--seed ${dir}: no such directory`);
  }
  if (!isDirectory) throw new CliUsageError(`--seed ${dir}: not a directory`);
}

/** The listen errors a user fixes with another --port, said in one line. */
async function listen(port: number, bytesPerSecond: number | undefined): Promise<FakePCloud> {
  try {
    return await startFakePCloud({ port, ...(bytesPerSecond === undefined ? {} : { bytesPerSecond }) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EADDRINUSE') throw new CliUsageError(`port ${port} is already in use: pick another with --port N, or --port 0 for a free one`);
    if (code === 'EACCES') throw new CliUsageError(`port ${port} needs privileges: use a port above 1023, or --port 0 for a free one`);
    throw error;
  }
}

/** What the command prints on stderr when it fails: one line, no stack trace. */
function failureLine(error: unknown): string {
  const message = error instanceof CliUsageError ? `${error.message} (--help shows the usage)` : error instanceof Error ? error.message : String(error);
  return `pcloud-fake-server: ${message.replace(/\s*\n\s*/g, ' ')}`;
}

/**
 * Runs the command with `argv` (without node and the script). Prints the usage and resolves
 * undefined on --help; rejects with {@link CliUsageError} on a command line that cannot work
 * (bad flag, missing seed directory, port in use or reserved).
 *
 * @example
 * const handle = await main(['--port', '0', '--seed', './fixtures']);
 * // prints the URL and the (fake, local) auth token; Ctrl-C stops it
 */
export async function main(argv: readonly string[], io: CliIo = {}): Promise<CliHandle | undefined> {
  const print = io.print ?? ((line: string) => {
    console.log(line);
  });
  const args = parseArgs(argv);
  if (args.help) {
    print(USAGE);
    return undefined;
  }
  if (args.seed !== undefined) checkSeed(args.seed);
  const fake = await listen(args.port, args.bytesPerSecond);
  let user: FakeUser;
  const users: FakeUser[] = [];
  try {
    user = fake.addUser({ email: 'demo@example.test' });
    users.push(user);
    for (let n = 2; n <= args.users; n++) users.push(fake.addUser({ email: `demo${n}@example.test` }));
    if (args.seed !== undefined) user.seedFromDirectory(args.seed);
  } catch (error) {
    await fake.close();
    throw error;
  }

  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<void> | undefined;
  const onSignal = (): void => {
    void stop();
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await fake.close();
      print('pCloud emulator stopped');
      resolveStopped();
    })();
    return stopping;
  };
  if (io.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  // These tokens belong to a throwaway local account: printing them is the point.
  print(`pCloud emulator listening on ${fake.url}`);
  print(`auth token: ${user.auth}`);
  print(`access token: ${user.accessToken}`);
  users.slice(1).forEach((other, i) => {
    print(`user ${i + 2} auth token: ${other.auth}`);
    print(`user ${i + 2} access token: ${other.accessToken}`);
  });
  if (args.seed !== undefined) print(`seeded / from ${args.seed}`);
  return { fake, user, users, stop, stopped };
}

// Run only when this file is the program (the pcloud-fake-server bin or dist/testing/cli.js);
// matching argv[1] works in both the ESM and the CommonJS build, unlike import.meta or require.main.
if (/(?:pcloud-fake-server|[\\/]testing[\\/]cli\.[cm]?[jt]s)$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(failureLine(error));
    process.exitCode = error instanceof CliUsageError ? 2 : 1;
  });
}
