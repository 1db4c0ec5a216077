/**
 * A zip job as an INTERNAL span (its HTTP requests as CLIENT spans below it, see
 * traced-fetch.ts) and as metrics, around the user's own `saveZip$` or `zipProgressEvents$`: the
 * wrapper takes the function, so one copy of the library (and of its error classes) serves both.
 *
 * Only `@opentelemetry/api` is used. Without an SDK its tracer and meter are no-ops: the cost is
 * a no-op span per job and per request (spec/bench/overhead.ts measures it).
 */
import { type Attributes, context, type Meter, metrics, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { defaultFetchFor } from './default-fetch.js';
import { errorAttributes, errorType, retryAttributes } from './error-attributes.js';
import { instrumentsOf } from './instruments.js';
import { DEFAULT_API_URL } from '../pcloud/endpoint.js';
import {
  ERROR_TYPE,
  PCLOUD_METHOD,
  RETRY_ATTEMPT,
  RETRY_DELAY_MS,
  RETRY_MAX_RETRIES,
  SCOPE,
  ZIP_OUTCOME,
  ZIP_POLLS,
  ZIP_RETRIES,
} from './names.js';
import type { TelemetryOptions, TracedEvent, TracedOptions } from './telemetry-options.js';
import { serverAttributes, tracedFetch } from './traced-fetch.js';

/** How a job ended: completed, failed, or cancelled (unsubscribed, or aborted by its `signal`). */
export type ZipOutcome = 'done' | 'error' | 'cancelled';

/** The server attributes of a base URL; none for one that does not parse (the call fails on it itself). */
function serverOf(apiUrl: string | URL): Attributes {
  try {
    return serverAttributes(new URL(String(apiUrl)));
  } catch {
    return {};
  }
}

function tracerOf(telemetry: TelemetryOptions | undefined): Tracer {
  return (telemetry?.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
}

function meterOf(telemetry: TelemetryOptions | undefined): Meter {
  return (telemetry?.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
}

/** A `retrying` event's fields (see ZipWaitEvent), read without importing the library's types' runtime. */
interface RetryingEvent {
  readonly type: 'retrying';
  readonly error: unknown;
  readonly attempt: number;
  readonly maxRetries: number;
  readonly delayMs: number;
}

function isRetrying(event: TracedEvent): event is RetryingEvent {
  return event.type === 'retrying';
}

/** A `started` event's job host (saveZip$ pins `savezip` to the host `currentserver` names). */
function startedHost(event: TracedEvent): string | undefined {
  if (event.type !== 'started') return undefined;
  const { job } = event as { readonly job?: { readonly apiUrl?: unknown } };
  return typeof job?.apiUrl === 'string' ? job.apiUrl : undefined;
}

/**
 * `factory` traced: same options, events, errors and completion. Each subscription is one job
 * span (parent: the active context at subscription, e.g. a queue's job span) and one
 * subscription of `factory` with a fetch that records each request under it.
 */
export function traceJob<O extends TracedOptions, E extends TracedEvent>(
  factory: (options: O) => Observable<E>,
  pcloudMethod: 'savezip' | 'savezipprogress',
  telemetry: TelemetryOptions | undefined,
): (options: O) => Observable<E> {
  return (options) => {
    // Not an object: the factory's own TypeError.
    if (typeof options !== 'object' || options === null) return factory(options);
    // Each option read once; each subscription below hands the factory this copy.
    const given: O = { ...options };
    // The factory's synchronous checks, as the untraced call throws them (nothing is sent before
    // subscription). Each subscription calls it again: it needs a fetch of its own, whose
    // requests go under that subscription's span.
    factory(given);
    return new Observable<E>((subscriber) => {
      const parent = context.active();
      const tracer = tracerOf(telemetry);
      const instruments = instrumentsOf(meterOf(telemetry));
      const jobAttributes: Attributes = { [PCLOUD_METHOD]: pcloudMethod };
      const span = tracer.startSpan(`pcloud ${pcloudMethod}`, { kind: SpanKind.INTERNAL, attributes: { ...jobAttributes, ...serverOf(given.apiUrl ?? DEFAULT_API_URL) } }, parent);
      const jobContext = trace.setSpan(parent, span);
      const startedAt = performance.now();
      let polls = 0;
      let retries = 0;
      let ended = false;

      const end = (outcome: ZipOutcome, error?: unknown): void => {
        if (ended) return;
        ended = true;
        const outcomeAttributes: Attributes = { ...jobAttributes, [ZIP_OUTCOME]: outcome };
        span.setAttributes({ [ZIP_OUTCOME]: outcome, [ZIP_POLLS]: polls, [ZIP_RETRIES]: retries });
        if (outcome === 'error') {
          outcomeAttributes[ERROR_TYPE] = errorType(error);
          span.setAttributes(errorAttributes(error));
          // The class name only: a message may quote the server.
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(error) });
        }
        span.end();
        instruments.jobDuration.record((performance.now() - startedAt) / 1000, outcomeAttributes);
        instruments.jobs.add(1, outcomeAttributes);
      };

      const fetch = tracedFetch(given.fetch ?? (telemetry?.fetchFor ?? defaultFetchFor)({ auth: given.auth, accessToken: given.accessToken }), {
        tracer,
        parent: jobContext,
        requestDuration: instruments.requestDuration,
        onRequest: (method) => {
          if (method !== 'savezipprogress') return;
          polls++;
          instruments.polls.add(1, jobAttributes);
        },
        jobEnded: () => ended,
      });

      // Subscribed within the job's context: with a context manager, spans made below (an
      // instrumented fetch, the subscriber's own) nest under the job span.
      const subscription = context.with(jobContext, () =>
        factory({ ...given, fetch }).subscribe({
          next: (event) => {
            if (isRetrying(event)) {
              retries++;
              const attributes = retryAttributes(event.error);
              span.addEvent('retrying', { ...attributes, [RETRY_ATTEMPT]: event.attempt, [RETRY_MAX_RETRIES]: event.maxRetries, [RETRY_DELAY_MS]: event.delayMs });
              instruments.retries.add(1, { ...jobAttributes, ...attributes });
            } else {
              const host = startedHost(event);
              if (host !== undefined) span.setAttributes(serverOf(host));
            }
            subscriber.next(event);
          },
          error: (error: unknown) => {
            // Aborted through the caller's `signal`: cancelled, as an unsubscription.
            end(errorType(error) === 'AbortError' ? 'cancelled' : 'error', error);
            subscriber.error(error);
          },
          complete: () => {
            end('done');
            subscriber.complete();
          },
        }),
      );
      return () => {
        subscription.unsubscribe();
        end('cancelled');
      };
    });
  };
}
