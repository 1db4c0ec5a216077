/**
 * pCloud API errors as the emulator raises them. Texts are pCloud's own (typos included, e.g.
 * "alredy"), so clients that match on text behave as they would against the real service:
 * pclouddoc's errors.txt, except where the live service is known to answer otherwise (2003,
 * 2095, and 2055 which errors.txt lacks). spec/conformance/fidelity.md gives each one's source.
 */

/**
 * Error texts by pCloud result code.
 *
 * @example
 * ERROR_TEXTS[1901]; // 'Zip not found'
 */
const ERROR_TEXTS: Readonly<Record<number, string>> = {
  1000: 'Log in required.',
  1001: 'No full path or name/folderid provided.',
  1002: 'No full path or folderid provided.',
  1004: 'No fileid or path provided.',
  1016: 'No full topath or toname/tofolderid provided.',
  1017: "Invalid 'folderid' provided.",
  1018: "Invalid 'fileid' provided.",
  1901: 'Zip not found',
  2000: 'Log in failed.',
  2001: 'Invalid file/folder name.',
  2002: 'A component of parent directory does not exist.',
  2003: 'Access denied. You do not have permissions to perform this operation.',
  2004: 'File or folder alredy exists.',
  2005: 'Directory does not exist.',
  2008: 'User is over quota.',
  2009: 'File not found.',
  2010: 'Invalid path.',
  2055: 'File or folder not found',
  2094: "Invalid 'access_token' provided.",
  2095: "Revoked 'access_token' provided, you need to re-authorize the application.",
  4000: 'Too many login tries from this IP address.',
  5000: 'Internal error. Try again later.',
  5001: 'Internal upload error.',
  5002: 'Internal error, no servers available. Try again later.',
  5003: 'Write error. Try reopening the file.',
  5004: 'Read error. Try reopening the file.',
};

/**
 * The text pCloud sends with `code`, or a generic one for codes the emulator does not know.
 *
 * @example
 * errorText(2005); // 'Directory does not exist.'
 */
export function errorText(code: number): string {
  return ERROR_TEXTS[code] ?? `Error ${code}.`;
}

/**
 * Thrown by method handlers; the server turns it into HTTP 200 `{"result":code,"error":text}`,
 * which is how pCloud reports every API-level failure.
 *
 * @example
 * throw new ApiError(2009); // answered as {"result":2009,"error":"File not found."}
 */
export class ApiError extends Error {
  /** pCloud result code (never 0). */
  readonly code: number;
  /** Text sent in the `error` field. */
  readonly text: string;

  constructor(code: number, text: string = errorText(code)) {
    super(`pCloud error ${code}: ${text}`);
    this.name = 'ApiError';
    this.code = code;
    this.text = text;
  }
}
