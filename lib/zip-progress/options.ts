import { type PCloudConnectionOptions, readConnectionOptions } from '../pcloud/connection-options.js';
import type { OptionsSnapshot } from '../poll/read-once.js';
import type { ZipJobRef } from './job-ref.js';
import { type PollingOptions, readPollingOptions } from './polling-options.js';

/** Options of `zipProgress$`: a `progresshash`, or the `job` of a `saveZip$` started event. */
export interface ZipProgressOptions extends PCloudConnectionOptions, PollingOptions {
  /** The key given to `savezip` (required unless `job` is given). */
  readonly progresshash?: string;
  /**
   * A job to re-attach to (from `saveZip$`'s `started` event, possibly stored and read back):
   * supplies the `progresshash` and the host to poll. That host must be the `apiUrl` option's
   * host or one under the same parent domain, same protocol (default `apiUrl`: any
   * `*.pcloud.com` host over https), else a TypeError: the token is sent there.
   */
  readonly job?: ZipJobRef;
}

/** Reads every option of `zipProgress$` once (see {@link OptionsSnapshot}). */
export function readZipProgressOptions(options: ZipProgressOptions): OptionsSnapshot<ZipProgressOptions> {
  return { ...readConnectionOptions(options), ...readPollingOptions(options), progresshash: options.progresshash, job: options.job };
}
