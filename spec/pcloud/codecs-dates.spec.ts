import { PCloudDate, PCloudFileMetadataCodec, SaveZipBody } from '../../lib/pcloud/codecs.js';

/** pCloud dates in both forms: RFC 2822 by default, unix seconds with timeformat=timestamp (api.txt). */
describe('PCloudDate', () => {
  const decode = (value: unknown) => PCloudDate.decode(value);

  it('keeps the RFC 2822 string pCloud sends by default', () => {
    expect(decode('Thu, 21 Mar 2013 18:31:45 +0000')).toEqual({ _tag: 'Right', right: 'Thu, 21 Mar 2013 18:31:45 +0000' });
  });

  it('turns unix seconds (timeformat=timestamp) into the same RFC 2822 form, in UTC', () => {
    expect(decode(1363890705)).toEqual({ _tag: 'Right', right: 'Thu, 21 Mar 2013 18:31:45 +0000' });
    expect(decode(0)).toEqual({ _tag: 'Right', right: 'Thu, 01 Jan 1970 00:00:00 +0000' });
  });

  it.each([[-1], [1.5], [Number.MAX_SAFE_INTEGER + 2], [null], [true], [{}]])('refuses %p', (value) => {
    expect(decode(value)._tag).toBe('Left');
  });

  it("decodes savezip's metadata with either form, other fields untouched", () => {
    const metadata = { name: 'a.zip', isfolder: false, fileid: 7, size: 9, id: 'f7', created: 1363890705, modified: 'Thu, 21 Mar 2013 18:31:46 +0000', extra: 1 };
    const decoded = SaveZipBody.decode({ result: 0, metadata });
    expect(decoded).toEqual({ _tag: 'Right', right: { result: 0, metadata: { ...metadata, created: 'Thu, 21 Mar 2013 18:31:45 +0000' } } });
    expect(PCloudFileMetadataCodec.decode({ ...metadata, modified: 'soon' })._tag).toBe('Right');
    expect(PCloudFileMetadataCodec.decode({ ...metadata, modified: -5 })._tag).toBe('Left');
  });
});
