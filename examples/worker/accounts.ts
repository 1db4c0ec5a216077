/**
 * Which pCloud account a job runs as. A job names its account (`account` in its data); the tokens
 * stay with the worker (a file it reads at start), never in Redis, where job data sits in clear.
 */
import { readFileSync } from 'node:fs';
import { UnrecoverableError } from 'bullmq';
import type { Credentials } from '../../lib/node.js';

/** The worker's accounts: a default for jobs that name none, and named ones. */
export interface WorkerAccounts {
  /** The account of jobs without `account` (PCLOUD_AUTH / PCLOUD_ACCESS_TOKEN); none: such jobs fail. */
  readonly credentials?: Credentials;
  /** Named accounts (PCLOUD_ACCOUNTS_FILE). */
  readonly accounts?: ReadonlyMap<string, Credentials>;
}

/** An accounts file that cannot be used; the message never quotes the file (it holds tokens). */
export class AccountsFileError extends Error {
  override readonly name = 'AccountsFileError';
}

function credentialsOf(value: unknown): Credentials | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { auth, accessToken, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  if (typeof auth === 'string' && auth !== '' && accessToken === undefined) return { auth };
  if (typeof accessToken === 'string' && accessToken !== '' && auth === undefined) return { accessToken };
  return undefined;
}

/**
 * Reads `{ "<account>": { "auth": "..." } | { "accessToken": "..." }, ... }` from `path`; throws
 * {@link AccountsFileError} naming the account that is wrong, never a token.
 */
export function readAccountsFile(path: string): ReadonlyMap<string, Credentials> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    // Not the parser's message: it may quote the file, tokens and all.
    const reason = error instanceof SyntaxError ? 'not valid JSON' : ((error as NodeJS.ErrnoException).code ?? 'unreadable');
    throw new AccountsFileError(`cannot read the accounts file ${path}: ${reason}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AccountsFileError(`the accounts file ${path} must hold a JSON object of account names`);
  }
  const accounts = new Map<string, Credentials>();
  for (const [name, value] of Object.entries(parsed)) {
    const credentials = credentialsOf(value);
    if (credentials === undefined) throw new AccountsFileError(`account '${name}' in ${path} must be { "auth": "..." } or { "accessToken": "..." }`);
    accounts.set(name, credentials);
  }
  return accounts;
}

/**
 * The credentials of a job's account. Throws BullMQ's `UnrecoverableError` when the worker does
 * not know it: retrying would not teach it.
 */
export function credentialsFor(config: WorkerAccounts, account: string | undefined): Credentials {
  const credentials = account === undefined ? config.credentials : config.accounts?.get(account);
  if (credentials !== undefined) return credentials;
  throw new UnrecoverableError(
    account === undefined
      ? 'the job names no account and this worker has no default one (PCLOUD_AUTH or PCLOUD_ACCESS_TOKEN)'
      : `unknown account '${account}': this worker's PCLOUD_ACCOUNTS_FILE does not name it`,
  );
}
