import { PCloudApiError, ResponseDecodeError } from '../../lib/index.js';
import { SaveZipProgressBody } from '../../lib/pcloud/codecs.js';
import { decodeResponse } from '../../lib/pcloud/decode.js';
import { thrownBy } from '../support/thrown.js';

const ctx = { method: 'savezipprogress', status: 200, secrets: ['s3cr3t-token'] };
const decode = (body: string) => decodeResponse(SaveZipProgressBody, body, ctx);
/** The ResponseDecodeError that decoding `body` throws; fails the test on anything else. */
const decodeError = (body: string): ResponseDecodeError => {
  const error = thrownBy(() => decode(body));
  if (error instanceof ResponseDecodeError) return error;
  throw error;
};

describe('decodeResponse(SaveZipProgressBody)', () => {
  it('accepts the documented body and ignores extra fields', () => {
    expect(decode('{"result":0,"files":34,"totalfiles":129,"bytes":263473,"totalbytes":54750979,"new":"x"}')).toEqual({
      result: 0,
      files: 34,
      totalfiles: 129,
      bytes: 263473,
      totalbytes: 54750979,
      new: 'x',
    });
  });

  it('turns an error body into PCloudApiError with code, method and text', () => {
    expect(() => decode('{"result":1901,"error":"Zip not found"}')).toThrow(PCloudApiError);
    const error = thrownBy(() => decode('{"result":5000,"error":"Internal error. Try again later."}'));
    expect(error).toBeInstanceOf(PCloudApiError);
    expect(error).toMatchObject({ name: 'PCloudApiError', code: 5000, method: 'savezipprogress', transient: true });
  });

  it.each([
    ['not JSON', '<html>502 Bad Gateway</html>', ['(body)']],
    ['empty', '', ['(body)']],
    ['an array', '[1,2]', ['(root)']],
    ['missing result', '{"files":1}', ['result']],
    ['a missing field', '{"result":0,"files":1,"totalfiles":2,"bytes":3}', ['totalbytes']],
    ['string numbers', '{"result":0,"files":"1","totalfiles":2,"bytes":3,"totalbytes":4}', ['files']],
    ['negative numbers', '{"result":0,"files":-1,"totalfiles":2,"bytes":3,"totalbytes":4}', ['files']],
    ['floats', '{"result":0,"files":1.5,"totalfiles":2,"bytes":3,"totalbytes":4}', ['files']],
    ['numbers past 2^53', '{"result":0,"files":1,"totalfiles":2,"bytes":3,"totalbytes":90071992547409930}', ['totalbytes']],
    ['an error without text', '{"result":2000}', ['error']],
  ])('rejects %s with a ResponseDecodeError naming the path', (_what, body, paths) => {
    const error = decodeError(body);
    expect(error.paths).toEqual(paths);
    expect(error.message).toContain(paths[0]);
    expect(error.method).toBe('savezipprogress');
  });

  it('quotes a short, scrubbed excerpt of the body', () => {
    const error = decodeError(`<html>${'x'.repeat(5000)} s3cr3t-token</html>`);
    expect(error.excerpt.length).toBeLessThanOrEqual(121);
    const echoed = decodeError('{"result":0,"files":"s3cr3t-token"}');
    expect(echoed.message).not.toContain('s3cr3t-token');
    expect(echoed.excerpt).toContain('[redacted]');
  });

  it('scrubs a token that an error text echoes back', () => {
    expect(() => decode('{"result":2000,"error":"Log in failed for s3cr3t-token"}')).toThrow('Log in failed for [redacted]');
  });
});
