import { invalidInput } from '../poll/option-rules.js';

/** The two ways pCloud accepts a token. */
export interface Credentials {
  /** A pCloud session token, sent as the form field `auth`. */
  readonly auth?: string | undefined;
  /** An OAuth 2.0 token, sent as `Authorization: Bearer <token>`. */
  readonly accessToken?: string | undefined;
}

/**
 * Throws a TypeError naming the option when the credentials are malformed or ambiguous, or cannot
 * be sent as given (a lone surrogate; a non-Latin-1 `accessToken`, which goes in a header).
 */
export function validateCredentials(credentials: Credentials): void {
  const { auth, accessToken } = credentials;
  if (auth !== undefined && accessToken !== undefined) invalidInput('pass either auth or accessToken, not both');
  for (const [name, value] of [['auth', auth], ['accessToken', accessToken]] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') invalidInput(`${name} must be a non-empty string`);
    // A token with white space or control characters is a copy-paste accident, and one with a
    // CR/LF could split an HTTP header.
    if (/[\s\p{Cc}]/u.test(value)) invalidInput(`${name} contains white space or control characters`);
    // Half a surrogate pair (with the u flag, \p{Cs} matches only an unpaired one) cannot be
    // encoded, as a form field nor in a header: it is a broken string, not a token, and would
    // otherwise fail every request with an untyped URIError.
    if (/\p{Cs}/u.test(value)) invalidInput(`${name} contains a lone UTF-16 surrogate (a broken string)`);
  }
  // A header value is a byte string: a character past U+00FF cannot be sent as a Bearer token.
  if (accessToken !== undefined && /[\u0100-\uffff]/.test(accessToken)) {
    invalidInput('accessToken contains characters that cannot be sent in an HTTP header (only Latin-1)');
  }
}

/** Whether any credential is set. */
export function hasCredentials(credentials: Credentials): boolean {
  return credentials.auth !== undefined || credentials.accessToken !== undefined;
}

/** The secrets to scrub from anything a server sends back. */
export function secretsOf(credentials: Credentials): (string | undefined)[] {
  return [credentials.auth, credentials.accessToken];
}
