/**
 * What to do about a pCloud answer, appended to its error message: pCloud's own texts say what
 * failed, not why nor where.
 */
import { isRateLimitCode, PCloudErrorCode } from './error-codes.js';

/** The call an API error answered. */
export interface HintContext {
  readonly code: number;
  readonly method: string;
  /** The host the call went to, e.g. `api.pcloud.com`. */
  readonly host: string;
  /** The call's parameters (never the credentials, which are not parameters here). */
  readonly params: Readonly<Record<string, string | number | undefined>>;
}

const EU_HOST = 'eapi.pcloud.com';
const US_HOST = 'api.pcloud.com';

/** The directories a savezip names: any of them may be the one that does not exist. */
function savezipDirectories(params: HintContext['params']): string[] {
  const named: string[] = [];
  if (params.folderid !== undefined) named.push(`folderid ${params.folderid} (the tree)`);
  if (params.folderids !== undefined) named.push(`folderids ${params.folderids} (the tree)`);
  if (params.excludefolderids !== undefined) named.push(`excludefolderids ${params.excludefolderids}`);
  if (params.tofolderid !== undefined) named.push(`tofolderid ${params.tofolderid} (the destination)`);
  if (typeof params.topath === 'string') {
    const parent = params.topath.slice(0, params.topath.lastIndexOf('/')) || '/';
    named.push(`${parent}, the folder of topath ${params.topath} (the destination)`);
  }
  return named;
}

/**
 * The hint of every call: a refused token may belong to the other region. Undefined for other codes.
 *
 * @example
 * accountHint({ code: 2000, method: 'savezipprogress', host: 'api.pcloud.com', params: {} });
 * // 'the token is wrong or expired, or it is an EU account on the US host (use apiUrl https://eapi.pcloud.com)'
 */
export function accountHint({ code, host }: HintContext): string | undefined {
  const refused =
    code === PCloudErrorCode.LoginFailed ? 'token is wrong or expired' : code === PCloudErrorCode.InvalidAccessToken ? 'access token is wrong' : undefined;
  if (refused === undefined) return undefined;
  // A token that belongs to the other region is refused as a wrong one: say which host to try.
  const [account, otherHost] = host === EU_HOST ? ['a US account on the EU', US_HOST] : ['an EU account on the US', EU_HOST];
  return `the ${refused}, or it is ${account} host (use apiUrl https://${otherHost})`;
}

/**
 * The hint of `savezip`'s 2005: which of the directories it names may be missing. Separate from
 * {@link accountHint} so that an app importing only `zipProgress$` does not ship it: `saveZip$`
 * hands it to the client (`PCloudClientConfig.hint`).
 *
 * @example
 * savezipHint({ code: 2005, method: 'savezip', host: 'api.pcloud.com', params: { folderid: 1, topath: '/a/b.zip' } });
 * // 'one of these does not exist: folderid 1 (the tree); /a, the folder of topath /a/b.zip (the destination)'
 */
export function savezipHint({ code, method, params }: HintContext): string | undefined {
  if (code !== PCloudErrorCode.DirectoryNotFound || method !== 'savezip') return undefined;
  const named = savezipDirectories(params);
  return named.length === 0 ? undefined : `one of these does not exist: ${named.join('; ')}`;
}

/**
 * The hint of `savezipprogress`'s rate limiting (every 4xxx, 4000 "Too many login tries"
 * included). Such an error ends a stream only after the long, growing waits (`maxRetries` of
 * them) ran out, while the zip itself may still finish in pCloud: say so, and how to find out.
 *
 * @example
 * progressHint({ code: 4000, method: 'savezipprogress', host: 'api.pcloud.com', params: {} });
 * // 'pCloud still limits requests from this IP (4000) after the retries and their long waits; the zip may still finish in pCloud: ...'
 */
export function progressHint({ code, method }: HintContext): string | undefined {
  if (method !== 'savezipprogress' || !isRateLimitCode(code)) return undefined;
  return `pCloud still limits requests from this IP (${code}) after the retries and their long waits; the zip may still finish in pCloud: watch it again later (zipProgress$ with the started event's job) or look for it with zipFileMetadata$`;
}

/**
 * A hint for an API error, or undefined when the code speaks for itself: {@link accountHint},
 * else {@link savezipHint}, else {@link progressHint}.
 *
 * @example
 * apiErrorHint({ code: 2000, method: 'savezipprogress', host: 'api.pcloud.com', params: {} });
 * // 'the token is wrong or expired, or it is an EU account on the US host (use apiUrl https://eapi.pcloud.com)'
 */
export function apiErrorHint(context: HintContext): string | undefined {
  return accountHint(context) ?? savezipHint(context) ?? progressHint(context);
}
