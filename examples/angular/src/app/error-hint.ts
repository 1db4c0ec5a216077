/**
 * What a failed job's error means for the user: a short message and what to do about it. The
 * library's errors are told apart by their `name` (and pCloud's `code`), so this works whatever
 * class hierarchy or constructor they have.
 */
export interface ErrorView {
  /** The error's own message (credentials already scrubbed by the library). */
  readonly message: string;
  /** What to do next; empty when nothing useful can be said. */
  readonly hint: string;
}

const PCLOUD_HINTS: Readonly<Record<number, string>> = {
  1000: 'Sign in again: the request carried no token.',
  1901: 'pCloud no longer knows this zip job (it ended a while ago, or never started): look for the file where it was to be saved.',
  2000: 'Sign in again: the token is wrong or expired. EU accounts use https://eapi.pcloud.com.',
  2003: 'You have no access to that folder or file.',
  2004: 'A file with that name already exists: choose another name.',
  2005: 'The folder does not exist (the folder to zip or the destination): check it.',
  2008: 'Your pCloud is over quota: free some space, then try again.',
  2009: 'A file to zip no longer exists: refresh and try again.',
};

function field(error: unknown, key: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

/** What to do when the HTTP exchange failed: told by its kind and status, never its text. */
function transportHint(kind: unknown, status: unknown): string {
  if (kind === 'http' && typeof status === 'number') {
    if (status === 429) return 'pCloud asked to slow down and kept refusing: wait a few minutes, then try again.';
    if (status >= 500) return `pCloud's server answered HTTP ${status} on every retry: it is having trouble, try again in a few minutes.`;
    return `The request was refused with HTTP ${status}: a proxy or firewall may be in the way, or the API address is wrong.`;
  }
  if (kind === 'timeout') return 'pCloud did not answer in time on every retry: try again later, or allow a longer request timeout.';
  return 'pCloud could not be reached: check the connection and the API address.';
}

/** The message and a hint for any error a zip job can fail with. */
export function describeError(error: unknown): ErrorView {
  const message = error instanceof Error ? error.message : String(error);
  switch (field(error, 'name')) {
    case 'PCloudApiError': {
      const code = field(error, 'code');
      const hint = typeof code === 'number' ? PCLOUD_HINTS[code] : undefined;
      if (hint !== undefined) return { message, hint };
      return { message, hint: field(error, 'transient') === true ? 'pCloud is busy: try again in a moment.' : '' };
    }
    case 'TransportError':
      return { message, hint: transportHint(field(error, 'kind'), field(error, 'status')) };
    case 'ProgressTimeoutError':
      return { message, hint: 'The zip took too long or stopped moving: try again, or allow more time.' };
    case 'ResponseDecodeError':
      return { message, hint: 'pCloud answered in an unexpected format: try again later.' };
    default:
      return { message, hint: '' };
  }
}

/**
 * Why a poll is being retried, in a few words with the host it went to: `HTTP 503 from
 * api.pcloud.com`, `connection to api.pcloud.com lost`, `pCloud error 5000 from ...`. Built from
 * the error's kind, status and code only: never its message (server text) nor a token.
 */
export function retryReason(error: unknown, host: string): string {
  switch (field(error, 'name')) {
    case 'TransportError': {
      const status = field(error, 'status');
      switch (field(error, 'kind')) {
        case 'http':
          return typeof status === 'number' ? `HTTP ${status} from ${host}` : `an HTTP error from ${host}`;
        case 'network':
          return `connection to ${host} lost`;
        case 'timeout':
          return `no answer from ${host} in time`;
        default:
          return `a failed request to ${host}`;
      }
    }
    case 'PCloudApiError': {
      const code = field(error, 'code');
      if (typeof code !== 'number') return `a pCloud error from ${host}`;
      // 4xxx: pCloud's "too many requests" family.
      return code >= 4000 && code < 5000 ? `rate limited by ${host} (pCloud error ${code})` : `pCloud error ${code} from ${host}`;
    }
    default:
      return `a failed request to ${host}`;
  }
}
