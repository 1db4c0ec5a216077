import { describeError } from './error-hint';

/** An error as the library makes them: told apart by `name` (and fields), whatever its class. */
function libraryError(name: string, message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...fields });
}

describe('describeError', () => {
  it('says what to do for the pCloud codes a user can act on', () => {
    expect(describeError(libraryError('PCloudApiError', 'pCloud savezip failed with 2004: exists', { code: 2004 }))).toEqual({
      message: 'pCloud savezip failed with 2004: exists',
      hint: 'A file with that name already exists: choose another name.',
    });
    expect(describeError(libraryError('PCloudApiError', 'm', { code: 2000 })).hint).toMatch(/token is wrong or expired.*eapi\.pcloud\.com/);
    expect(describeError(libraryError('PCloudApiError', 'm', { code: 2005 })).hint).toMatch(/folder does not exist/);
    // A job resumed after a reload that pCloud has forgotten.
    expect(describeError(libraryError('PCloudApiError', 'm', { code: 1901 })).hint).toMatch(/no longer knows this zip job.*look for the file/);
  });

  it('suggests waiting for transient pCloud errors and says nothing it does not know', () => {
    expect(describeError(libraryError('PCloudApiError', 'm', { code: 5000, transient: true })).hint).toMatch(/try again/);
    expect(describeError(libraryError('PCloudApiError', 'm', { code: 7777, transient: false })).hint).toBe('');
    expect(describeError(new TypeError('boom'))).toEqual({ message: 'boom', hint: '' });
    expect(describeError('a string')).toEqual({ message: 'a string', hint: '' });
  });

  it('covers the network, timeout and decoding failures', () => {
    expect(describeError(libraryError('TransportError', 'network', { kind: 'network' })).hint).toMatch(/could not be reached/);
    // A server that answers with errors was reached: the hint says so, not "check the connection".
    expect(describeError(libraryError('TransportError', 'm', { kind: 'http', status: 503 })).hint).toBe("pCloud's server answered HTTP 503 on every retry: it is having trouble, try again in a few minutes.");
    expect(describeError(libraryError('TransportError', 'm', { kind: 'http', status: 429 })).hint).toMatch(/slow down/);
    expect(describeError(libraryError('TransportError', 'm', { kind: 'http', status: 403 })).hint).toMatch(/proxy or firewall/);
    expect(describeError(libraryError('TransportError', 'm', { kind: 'timeout' })).hint).toMatch(/did not answer in time/);
    expect(describeError(libraryError('ProgressTimeoutError', 'stalled')).hint).toMatch(/too long/);
    expect(describeError(libraryError('ResponseDecodeError', 'bad body')).hint).toMatch(/unexpected format/);
  });
});
