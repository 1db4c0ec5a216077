/**
 * What the web demo tells a person when a zip fails: a title, the library's message, and a hint
 * of what to do, chosen from the error's `name` discriminant and, for pCloud's answers, its
 * `code`. Pure, so the spec checks every branch without a browser.
 */
import { PCloudApiError, PCloudErrorCode, ProgressTimeoutError, TransportError } from '../../lib/index.js';

/** Where the zip ran: the hint for a login failure depends on it. */
export interface ZipTarget {
  /** The API base URL the page used. */
  readonly apiUrl: string;
  /** The destination path, named in "already exists". */
  readonly topath: string;
  /** True on the local emulator of `npm run demo:web`, false on a real pCloud account. */
  readonly emulator: boolean;
}

/** An error as the page shows it. */
export interface Explanation {
  readonly title: string;
  /** The error's own text (`name: message`), scrubbed of credentials by the library. */
  readonly detail: string;
  /** What to do about it. */
  readonly hint: string;
}

const EU_HOST = 'https://eapi.pcloud.com';

function apiHint(error: PCloudApiError, target: ZipTarget): Pick<Explanation, 'title' | 'hint'> {
  switch (error.code) {
    case PCloudErrorCode.LoginRequired:
      return { title: 'Not logged in', hint: 'Enter your pCloud auth token.' };
    case PCloudErrorCode.LoginFailed:
      return {
        title: 'Log in failed',
        hint: target.emulator
          ? 'The emulator does not know this token: reload the page to get the demo token again.'
          : `The token is wrong or expired, or the account lives in the other region: EU accounts use ${EU_HOST}, US accounts https://api.pcloud.com. Check the region, or get a new token.`,
      };
    case PCloudErrorCode.InvalidAccessToken:
    case PCloudErrorCode.RevokedAccessToken:
      return { title: 'Token not accepted', hint: 'The token is invalid or was revoked: log in again to get a new one.' };
    case PCloudErrorCode.TooManyLoginTries:
      return { title: 'Too many login attempts', hint: 'pCloud limits requests from this address for a while; the library waited and retried. The zip may still finish in pCloud: look for it in a few minutes before starting it again.' };
    case PCloudErrorCode.AlreadyExists:
      return { title: 'The zip already exists', hint: `A file is already saved at ${target.topath}: choose another "Save as" name, or delete that file first.` };
    case PCloudErrorCode.DirectoryNotFound:
      return { title: 'Folder not found', hint: 'No folder has that id in this account (or the destination folder is missing): check the folder id; 0 is the root folder.' };
    case PCloudErrorCode.ParentNotFound:
      return { title: 'Destination folder missing', hint: `The folder of ${target.topath} does not exist: create it first, or save to another path.` };
    case PCloudErrorCode.InvalidName:
    case PCloudErrorCode.NoFullDestination:
      return { title: 'Invalid destination', hint: 'Give a full path ending in a file name, such as /backups/photos.zip.' };
    case PCloudErrorCode.AccessDenied:
      return { title: 'Access denied', hint: 'This token may not read the folder or write the destination: check the folder id and the token\'s permissions.' };
    case PCloudErrorCode.OverQuota:
      return { title: 'Not enough space', hint: 'The account is over its quota: free some space, or zip a smaller folder.' };
    case PCloudErrorCode.ZipNotFound:
      return { title: 'Zip job lost', hint: 'pCloud no longer knows this zip job: start it again.' };
    default:
      return error.transient
        ? { title: 'pCloud is busy', hint: 'pCloud kept answering "try again later": wait a minute and start the zip again.' }
        : { title: `pCloud refused (${error.code})`, hint: 'See pCloud\'s message above; check the folder id and destination, then try again.' };
  }
}

function transportHint(error: TransportError, target: ZipTarget): Pick<Explanation, 'title' | 'hint'> {
  switch (error.kind) {
    case 'network':
      return {
        title: 'Cannot reach the server',
        hint: target.emulator
          ? 'The emulator did not answer: is `npm run demo:web` still running? Restart it and reload this page.'
          : `No answer from ${target.apiUrl}: check your connection and the region (a firewall or an ad blocker can block pCloud too).`,
      };
    case 'timeout':
      return { title: 'The server is too slow', hint: 'Requests kept timing out: check your connection and try again.' };
    case 'redirect':
      return { title: 'Unexpected redirect', hint: `${target.apiUrl} redirected the request: use the API host itself (https://api.pcloud.com or ${EU_HOST}).` };
    default:
      return { title: `HTTP error${error.status === undefined ? '' : ` ${error.status}`}`, hint: 'The server or a proxy refused the request: check the API URL, or try again later.' };
  }
}

/** Explains any error a `saveZip$` stream ends with (not `AbortError`: the page shows a cancel). */
export function explainError(error: unknown, target: ZipTarget): Explanation {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof PCloudApiError) return { ...apiHint(error, target), detail };
  if (error instanceof TransportError) return { ...transportHint(error, target), detail };
  if (error instanceof ProgressTimeoutError) {
    return error.reason === 'stall'
      ? { title: 'The zip stalled', detail, hint: 'pCloud reported no progress for a long time: start the zip again later.' }
      : { title: 'The zip took too long', detail, hint: 'It did not finish before the deadline: try a smaller folder.' };
  }
  if (error instanceof Error && error.name === 'ResponseDecodeError') {
    return { title: 'Not a pCloud answer', detail, hint: `The server at ${target.apiUrl} did not answer like pCloud's API: check the API host.` };
  }
  if (error instanceof TypeError) return { title: 'Invalid settings', detail, hint: 'Check the fields of the form: the message above names the wrong one.' };
  return { title: 'Something went wrong', detail, hint: 'Try again; if it keeps failing, the message above says what broke.' };
}
