/**
 * pcloud-zip-progress/otel: OpenTelemetry spans and metrics for zip jobs, through
 * `@opentelemetry/api` only (an optional peer dependency: install it, and register an SDK, to
 * record anything). Wrap your own `saveZip$` or `zipProgressEvents$`; without a registered SDK
 * the API's no-op tracer and meter record nothing. The main entry never imports this one, so
 * browsers that do not use it do not ship it.
 *
 * Each subscription is a job span (`pcloud savezip`, `pcloud savezipprogress`; INTERNAL, child
 * of the context active at subscription) with each HTTP request as a CLIENT span below it
 * (HTTP semantic conventions), each retry as a `retrying` span event, and the metrics
 * `http.client.request.duration`, `pcloud.zip.polls`, `pcloud.zip.retries`, `pcloud.zip.duration`
 * and `pcloud.zip.jobs` (README, "OpenTelemetry"). No credential appears in any of them.
 * @packageDocumentation
 * @module pcloud-zip-progress/otel
 */
export { traceSaveZip, traceZipProgress } from './otel/wrappers.js';
export type { TelemetryOptions, TracedEvent, TracedOptions } from './otel/telemetry-options.js';
export type { ZipOutcome } from './otel/trace-job.js';
export type { RetryReason } from './otel/error-attributes.js';
