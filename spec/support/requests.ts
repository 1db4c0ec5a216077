import type { FakePCloud, RecordedRequest } from '../../lib/testing/index.js';

/** The requests the emulator recorded for one pCloud method (`savezip`, `savezipprogress`...), in order. */
export function requestsOf(fake: Pick<FakePCloud, 'requests'>, method: string): RecordedRequest[] {
  return fake.requests.filter((r) => r.method === method);
}
