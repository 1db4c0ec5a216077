/**
 * The attribute, span and instrument names this entry records. The OpenTelemetry ones are the
 * stable HTTP and error semantic conventions, spelled out here rather than imported from
 * `@opentelemetry/semantic-conventions`: a handful of strings is not worth a runtime dependency.
 * The `pcloud.*` ones are this library's own.
 */

/** The instrumentation scope of every tracer and meter (the package version is not known here). */
export const SCOPE = 'pcloud-zip-progress';

// Stable semantic conventions (HTTP client spans and metrics, error.type).
export const HTTP_REQUEST_METHOD = 'http.request.method';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const SERVER_ADDRESS = 'server.address';
export const SERVER_PORT = 'server.port';
export const URL_FULL = 'url.full';
export const ERROR_TYPE = 'error.type';
/** The semantic conventions' value of `error.type` when nothing better names the failure. */
export const OTHER = '_OTHER';

// This library's own.
export const PCLOUD_METHOD = 'pcloud.method';
export const PCLOUD_ERROR_CODE = 'pcloud.error.code';
export const ZIP_OUTCOME = 'pcloud.zip.outcome';
export const ZIP_POLLS = 'pcloud.zip.polls';
export const ZIP_RETRIES = 'pcloud.zip.retries';
export const RETRY_REASON = 'pcloud.retry.reason';
export const RETRY_ATTEMPT = 'pcloud.retry.attempt';
export const RETRY_MAX_RETRIES = 'pcloud.retry.max_retries';
export const RETRY_DELAY_MS = 'pcloud.retry.delay_ms';
export const REQUEST_CANCELLED = 'pcloud.request.cancelled';

// Metrics.
export const HTTP_CLIENT_DURATION = 'http.client.request.duration';
export const ZIP_DURATION = 'pcloud.zip.duration';
export const ZIP_JOBS = 'pcloud.zip.jobs';
