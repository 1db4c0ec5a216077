/**
 * pcloud-zip-progress: pCloud zip jobs as RxJS observables.
 * @packageDocumentation
 * @module pcloud-zip-progress
 */
export { zipProgress$ } from './zip-progress/zip-progress.js';
export { zipProgressEvents$ } from './zip-progress/zip-progress-events.js';
export type { ZipProgressEvent, ZipWaitEvent } from './zip-progress/events.js';
export type { ZipProgressOptions } from './zip-progress/options.js';
export type { PCloudConnectionOptions } from './pcloud/connection-options.js';
export type { PollingOptions } from './zip-progress/polling-options.js';
export { POLLING_DEFAULTS } from './zip-progress/polling-options.js';
export type { Backoff, BackoffContext } from './zip-progress/backoff-context.js';
export type { ZipProgress, ZipCounts } from './zip-progress/snapshot.js';
export { adaptiveBackoff, ADAPTIVE_DEFAULTS } from './zip-progress/adaptive-backoff.js';
export type { AdaptiveBackoffOptions } from './zip-progress/adaptive-backoff.js';
export { exponentialBackoff, EXPONENTIAL_DEFAULTS } from './poll/exponential-backoff.js';
export type { ExponentialBackoffOptions, Jitter } from './poll/exponential-backoff.js';
export { PCloudErrorCode, isTransientCode } from './pcloud/error-codes.js';
export { DEFAULT_API_URL } from './pcloud/endpoint.js';
export type { Credentials } from './pcloud/credentials.js';
export { PCloudZipError } from './errors/pcloud-zip-error.js';
export type { PCloudZipErrorName } from './errors/pcloud-zip-error.js';
export { PCloudApiError } from './errors/pcloud-api-error.js';
export { ResponseDecodeError } from './errors/response-decode-error.js';
export { TransportError } from './errors/transport-error.js';
export type { TransportErrorKind } from './errors/transport-error.js';
export { ProgressTimeoutError } from './errors/progress-timeout-error.js';
export { AbortError } from './errors/abort-error.js';
export { saveZip$ } from './save-zip/save-zip.js';
export type { SaveZipEvent } from './save-zip/save-zip.js';
export type { ZipJobRef } from './zip-progress/job-ref.js';
export { zipFileMetadata$ } from './save-zip/file-metadata.js';
export type { ZipFileMetadataOptions } from './save-zip/file-metadata.js';
export type { SaveZipOptions, SaveZipTree, SaveZipDestination } from './save-zip/options.js';
export type { PCloudFileMetadata } from './pcloud/codecs.js';
