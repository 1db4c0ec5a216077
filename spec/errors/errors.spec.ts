import * as api from '../../lib/index.js';
import { AbortError, PCloudApiError, PCloudZipError, ProgressTimeoutError, ResponseDecodeError, TransportError, type ZipProgress } from '../../lib/index.js';

const last: ZipProgress = { files: 1, totalfiles: 2, bytes: 10, totalbytes: 20, fraction: 0.5, done: false, elapsedMs: 5, bytesPerSecond: undefined, etaMs: undefined };

/** One error of each class, built the one way every constructor takes: an init object. */
function makeAll(lib: typeof api): Record<api.PCloudZipErrorName, api.PCloudZipError> {
  return {
    PCloudApiError: new lib.PCloudApiError({ code: 2000, method: 'savezip', message: 'Log in failed.', transient: false }),
    TransportError: new lib.TransportError({ kind: 'http', method: 'savezipprogress', message: 'HTTP 503', transient: true, status: 503, retryAfterMs: 1000 }),
    ResponseDecodeError: new lib.ResponseDecodeError({ method: 'savezipprogress', paths: ['files'], problems: ['files: not a count'], excerpt: '{"files":-1}', status: 200 }),
    ProgressTimeoutError: new lib.ProgressTimeoutError({ reason: 'stall', timeoutMs: 900_000, lastProgress: last }),
    AbortError: new lib.AbortError({ cause: 'user cancelled' }),
  };
}

/** Errors as a second copy of the package makes them (its own classes: instanceof fails). */
function secondCopy(): typeof api {
  let copy: typeof api | undefined;
  jest.isolateModules(() => {
    copy = jest.requireActual<typeof api>('../../lib/index.js');
  });
  if (copy === undefined) throw new Error('the second copy did not load');
  return copy;
}

const guards: Record<api.PCloudZipErrorName, (value: unknown) => boolean> = {
  PCloudApiError: (value) => PCloudApiError.is(value),
  TransportError: (value) => TransportError.is(value),
  ResponseDecodeError: (value) => ResponseDecodeError.is(value),
  ProgressTimeoutError: (value) => ProgressTimeoutError.is(value),
  AbortError: (value) => AbortError.is(value),
};

describe('the error family', () => {
  const errors = makeAll(api);
  const names = Object.keys(errors) as api.PCloudZipErrorName[];

  it.each(names)('%s is a PCloudZipError and an Error, keeps its name, and PCloudZipError.is accepts it', (name) => {
    const error = errors[name];
    expect(error).toBeInstanceOf(PCloudZipError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(PCloudZipError.is(error)).toBe(true);
    expect(Object.prototype.toString.call(error)).toBe('[object Error]');
    expect(error.stack).toContain(name);
  });

  it('constructors keep every field', () => {
    expect(errors.PCloudApiError).toMatchObject({ code: 2000, method: 'savezip', transient: false, message: 'pCloud savezip failed with 2000: Log in failed.' });
    expect(errors.TransportError).toMatchObject({ kind: 'http', method: 'savezipprogress', status: 503, retryAfterMs: 1000, transient: true });
    expect(errors.ResponseDecodeError).toMatchObject({ method: 'savezipprogress', paths: ['files'], excerpt: '{"files":-1}', status: 200 });
    expect(errors.ProgressTimeoutError).toMatchObject({ reason: 'stall', timeoutMs: 900_000, lastProgress: last, message: 'zip progress did not change for 900000 ms' });
    expect(new ProgressTimeoutError({ reason: 'deadline', timeoutMs: 5, lastProgress: undefined }).message).toBe('zip job not done within the 5 ms deadline');
    expect(errors.AbortError).toMatchObject({ cause: 'user cancelled', message: 'the operation was aborted' });
    expect('cause' in new AbortError()).toBe(false);
  });

  it.each(names)('%s.is accepts its own class only', (name) => {
    for (const other of names) expect(guards[name](errors[other])).toBe(other === name);
  });

  describe('from a second copy of the package', () => {
    const copy = secondCopy();
    const foreign = makeAll(copy);

    it('is really another copy: instanceof fails', () => {
      expect(copy.PCloudZipError).not.toBe(PCloudZipError);
      expect(foreign.PCloudApiError).not.toBeInstanceOf(PCloudZipError);
      expect(foreign.PCloudApiError).not.toBeInstanceOf(PCloudApiError);
    });

    it.each(names)('%s is recognised by the guards, by name and fields', (name) => {
      expect(guards[name](foreign[name])).toBe(true);
      expect(PCloudZipError.is(foreign[name])).toBe(true);
    });
  });

  it('the guards accept plain objects shaped like the error (a structured clone, another realm)', () => {
    expect(PCloudApiError.is({ name: 'PCloudApiError', code: 1000, method: 'savezip', message: '' })).toBe(true);
    expect(TransportError.is({ name: 'TransportError', kind: 'network' })).toBe(true);
    expect(ResponseDecodeError.is({ name: 'ResponseDecodeError', paths: [] })).toBe(true);
    expect(ProgressTimeoutError.is({ name: 'ProgressTimeoutError', reason: 'deadline' })).toBe(true);
    expect(AbortError.is(new DOMException('stop', 'AbortError'))).toBe(true);
    expect(PCloudZipError.is({ name: 'TransportError' })).toBe(true);
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'PCloudApiError'],
    ['a plain Error', new Error('x')],
    ['a TypeError', new TypeError('x')],
    ['a TimeoutError DOMException', new DOMException('t', 'TimeoutError')],
    ['an object named like another library error', { name: 'HTTPError' }],
  ])('the guards refuse %s', (_what, value) => {
    expect(PCloudZipError.is(value)).toBe(false);
    for (const guard of Object.values(guards)) expect(guard(value)).toBe(false);
  });

  it('the guards refuse the right name with the wrong fields', () => {
    expect(PCloudApiError.is({ name: 'PCloudApiError', code: '2000', method: 'savezip' })).toBe(false);
    expect(TransportError.is({ name: 'TransportError' })).toBe(false);
    expect(ResponseDecodeError.is({ name: 'ResponseDecodeError', paths: 'files' })).toBe(false);
    expect(ProgressTimeoutError.is({ name: 'ProgressTimeoutError', reason: 'late' })).toBe(false);
  });

  it('a switch on name narrows the family', () => {
    const label = (error: PCloudZipError): string => {
      switch (error.name) {
        case 'PCloudApiError':
        case 'TransportError':
        case 'ResponseDecodeError':
        case 'ProgressTimeoutError':
        case 'AbortError':
          return error.name;
      }
    };
    expect(names.map((name) => label(errors[name]))).toEqual(names);
  });
});
