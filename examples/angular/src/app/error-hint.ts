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
      return { message, hint: 'pCloud could not be reached: check the connection and the API address.' };
    case 'ProgressTimeoutError':
      return { message, hint: 'The zip took too long or stopped moving: try again, or allow more time.' };
    case 'ResponseDecodeError':
      return { message, hint: 'pCloud answered in an unexpected format: try again later.' };
    default:
      return { message, hint: '' };
  }
}
