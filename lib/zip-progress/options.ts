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
   * supplies the `progresshash` and the host to poll. The token is sent to that host, so it
   * must be one the connection trusts, with `apiUrl`'s scheme and port: `apiUrl`'s own host,
   * one of pCloud's API hosts when `apiUrl` is one (default: `api.pcloud.com`, `api7.pcloud.com`,
   * `eapi.pcloud.com`, ...), another loopback host for a loopback `apiUrl`, or a host named in
   * `trustedHosts`; else a TypeError before any request. No parent domain is ever guessed.
   */
  readonly job?: ZipJobRef;
}

/** Reads every option of `zipProgress$` once (see {@link OptionsSnapshot}). */
export function readZipProgressOptions(options: ZipProgressOptions): OptionsSnapshot<ZipProgressOptions> {
  return { ...readConnectionOptions(options), ...readPollingOptions(options), progresshash: options.progresshash, job: options.job };
}
