/** The two ways pCloud accepts a token. */
export interface Credentials {
  /** A pCloud session token, sent as the form field `auth`. */
  readonly auth?: string | undefined;
  /** An OAuth 2.0 token, sent as `Authorization: Bearer <token>`. */
  readonly accessToken?: string | undefined;
}

/** Throws a TypeError naming the option when the credentials are malformed or ambiguous. */
export function validateCredentials(credentials: Credentials): void {
  const { auth, accessToken } = credentials;
  if (auth !== undefined && accessToken !== undefined) {
    throw new TypeError('pass either auth or accessToken, not both');
  }
  for (const [name, value] of [['auth', auth], ['accessToken', accessToken]] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
    // A token with white space or control characters is a copy-paste accident, and one with a
    // CR/LF could split an HTTP header.
    if (/[\s\p{Cc}]/u.test(value)) throw new TypeError(`${name} contains white space or control characters`);
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
