/**
 * What the conformance suite runs against: a pCloud API base URL, one or two accounts, and a
 * scratch folder it may write into. Black-box: nothing here knows whether the server is pCloud or
 * the emulator.
 */

/** An account's credentials: an `auth` session token, an OAuth access token, or both. */
export interface Account {
  readonly auth?: string | undefined;
  readonly accessToken?: string | undefined;
}

/** One run's target. Tokens never appear in the report: only `label` and the URLs' hosts do. */
export interface ConformanceTarget {
  /** How the report names the target, e.g. 'emulator (in process)' or the URL. */
  readonly label: string;
  /** API base URL of the account's region, no trailing slash (e.g. 'https://eapi.pcloud.com'). */
  readonly apiUrl: string;
  /** Account A: every check runs as A. */
  readonly account: Account;
  /** Account B, another account on the same region: only the login-binding check uses it. */
  readonly accountB?: Account | undefined;
  /** An existing folder path of account A that the suite may write into (e.g. '/conformance'). */
  readonly scratchFolder: string;
  /**
   * The other region's API URL, where A's access token must be refused with 2094; derived for
   * pCloud's own hosts, given for anything else (the emulator runs a second server).
   */
  readonly otherRegionUrl?: string | undefined;
  /** Pause between savezipprogress polls; default 100 ms. */
  readonly pollIntervalMs?: number | undefined;
  /** Longest wait for one request (savezip included); default 120 s. */
  readonly requestTimeoutMs?: number | undefined;
}

/** A missing or malformed environment variable; the message says which and what to set. */
export class ConformanceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceConfigError';
  }
}

/** pCloud's two regions: a token of one is refused by the other (2094 for access tokens). */
const PCLOUD_REGIONS: Readonly<Record<string, string>> = {
  'api.pcloud.com': 'https://eapi.pcloud.com',
  'eapi.pcloud.com': 'https://api.pcloud.com',
};

/** The other pCloud region of `apiUrl`, or undefined when `apiUrl` is not one of pCloud's hosts. */
export function otherPCloudRegion(apiUrl: string): string | undefined {
  return PCLOUD_REGIONS[new URL(apiUrl).hostname];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function accountFrom(auth: string | undefined, accessToken: string | undefined): Account | undefined {
  const a = nonEmpty(auth);
  const t = nonEmpty(accessToken);
  return a === undefined && t === undefined ? undefined : { auth: a, accessToken: t };
}

/**
 * The target named by the environment, or undefined when no URL is set (the runner then starts the
 * emulator in process). URL: `PCLOUD_CONFORMANCE_URL`, else `PCLOUD_API_URL`. Account A:
 * `PCLOUD_AUTH` and/or `PCLOUD_ACCESS_TOKEN`; account B: `PCLOUD_AUTH_B` and/or
 * `PCLOUD_ACCESS_TOKEN_B`; `PCLOUD_SCRATCH_FOLDER`; `PCLOUD_OTHER_REGION_URL` (optional).
 */
export function targetFromEnv(env: NodeJS.ProcessEnv): ConformanceTarget | undefined {
  const rawUrl = nonEmpty(env.PCLOUD_CONFORMANCE_URL) ?? nonEmpty(env.PCLOUD_API_URL);
  if (rawUrl === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ConformanceConfigError('PCLOUD_CONFORMANCE_URL is not a URL (e.g. https://eapi.pcloud.com)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConformanceConfigError('PCLOUD_CONFORMANCE_URL must be an http(s) URL');
  const account = accountFrom(env.PCLOUD_AUTH, env.PCLOUD_ACCESS_TOKEN);
  if (account === undefined) throw new ConformanceConfigError('no token for account A: set PCLOUD_AUTH (or PCLOUD_ACCESS_TOKEN)');
  const scratchFolder = nonEmpty(env.PCLOUD_SCRATCH_FOLDER);
  if (scratchFolder === undefined || !scratchFolder.startsWith('/') || scratchFolder === '/' || scratchFolder.endsWith('/')) {
    throw new ConformanceConfigError('set PCLOUD_SCRATCH_FOLDER to an existing folder the suite may write into, e.g. /conformance (not the root, no trailing slash)');
  }
  const apiUrl = url.href.replace(/\/+$/, '');
  return {
    label: apiUrl,
    apiUrl,
    account,
    accountB: accountFrom(env.PCLOUD_AUTH_B, env.PCLOUD_ACCESS_TOKEN_B),
    scratchFolder,
    otherRegionUrl: nonEmpty(env.PCLOUD_OTHER_REGION_URL) ?? otherPCloudRegion(apiUrl),
  };
}

/** Every token of the target, for scrubbing anything written out. */
export function secretsOf(target: ConformanceTarget): string[] {
  const accounts = [target.account, target.accountB];
  return accounts.flatMap((a) => [a?.auth, a?.accessToken]).filter((t): t is string => t !== undefined);
}
