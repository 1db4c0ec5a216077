/** The two wrappers of the entry (lib/otel.ts), typed after the function they wrap. */
import type { Observable } from 'rxjs';
import type { TelemetryOptions, TracedEvent, TracedOptions } from './telemetry-options.js';
import { traceJob } from './trace-job.js';

/**
 * `saveZip$`, traced: a function of the same type (its options and events are inferred from
 * the function given), with the same events, errors and completion, and each subscription
 * recorded as a `pcloud savezip` span (its `currentserver`, `savezip` and `savezipprogress`
 * requests as CLIENT spans below it) and as metrics. Throws the same TypeErrors, synchronously.
 *
 * Requests go through the call's `fetch` option, else `telemetry.fetchFor(credentials)`, else
 * the library's default (in Node one connection pool per credential, in browsers the page's
 * fetch), wrapped to record them.
 *
 * @param saveZip - `saveZip$` from `pcloud-zip-progress` (your copy: its error classes are the ones you catch).
 * @param telemetry - Providers to use instead of the global ones, and the default fetch.
 *
 * @example
 * ```ts
 * import { saveZip$ } from 'pcloud-zip-progress';
 * import { traceSaveZip } from 'pcloud-zip-progress/otel';
 *
 * const tracedSaveZip$ = traceSaveZip(saveZip$);
 * tracedSaveZip$({ auth, folderid: 12345, topath: '/backups/photos.zip' }).subscribe();
 * ```
 */
export function traceSaveZip<O extends TracedOptions, E extends TracedEvent>(saveZip: (options: O) => Observable<E>, telemetry?: TelemetryOptions): (options: O) => Observable<E> {
  return traceJob(saveZip, 'savezip', telemetry);
}

/**
 * `zipProgressEvents$`, traced: a function of the same type, and a `pcloud savezipprogress`
 * span per subscription, with each poll as a CLIENT span below it, and the metrics. For `zipProgress$`, trace `zipProgressEvents$` and
 * keep the snapshots: `pipe(filter((e) => e.type === 'progress'), map((e) => e.progress))`.
 *
 * @param zipProgressEvents - `zipProgressEvents$` from `pcloud-zip-progress`.
 * @param telemetry - Providers to use instead of the global ones, and the default fetch.
 *
 * @example
 * ```ts
 * import { filter, map } from 'rxjs';
 * import { zipProgressEvents$ } from 'pcloud-zip-progress';
 * import { traceZipProgress } from 'pcloud-zip-progress/otel';
 *
 * const progress$ = traceZipProgress(zipProgressEvents$)({ job, auth }).pipe(
 *   filter((event) => event.type === 'progress'),
 *   map((event) => event.progress),
 * );
 * ```
 */
export function traceZipProgress<O extends TracedOptions, E extends TracedEvent>(
  zipProgressEvents: (options: O) => Observable<E>,
  telemetry?: TelemetryOptions,
): (options: O) => Observable<E> {
  return traceJob(zipProgressEvents, 'savezipprogress', telemetry);
}
