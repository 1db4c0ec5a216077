import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import { HTTP_CLIENT_DURATION, ZIP_DURATION, ZIP_JOBS, ZIP_POLLS, ZIP_RETRIES } from './names.js';

/** The instruments of one meter. */
export interface Instruments {
  /** Each HTTP request, to its response headers, in seconds (HTTP semantic conventions). */
  readonly requestDuration: Histogram;
  /** Each `savezipprogress` request. */
  readonly polls: Counter;
  /** Each retry of a failed poll, by reason. */
  readonly retries: Counter;
  /** Each job, from subscription to its end, in seconds, by outcome. */
  readonly jobDuration: Histogram;
  /** Each job's end, by outcome. */
  readonly jobs: Counter;
}

/**
 * The bucket boundaries the HTTP semantic conventions advise for `http.client.request.duration`;
 * a provider's views may override them.
 */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Zips last from a second to hours. */
const JOB_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];

/** Keyed by meter: instruments are made once per meter, not per job (the no-op meter is one object). */
const cache = new WeakMap<Meter, Instruments>();

/** The instruments of `meter`, made at its first job. */
export function instrumentsOf(meter: Meter): Instruments {
  let instruments = cache.get(meter);
  if (instruments === undefined) {
    instruments = {
      requestDuration: meter.createHistogram(HTTP_CLIENT_DURATION, { unit: 's', description: 'Duration of HTTP client requests.', advice: { explicitBucketBoundaries: HTTP_BUCKETS } }),
      polls: meter.createCounter(ZIP_POLLS, { unit: '{poll}', description: 'savezipprogress requests sent.' }),
      retries: meter.createCounter(ZIP_RETRIES, { unit: '{retry}', description: 'Retries of failed progress polls, by reason.' }),
      jobDuration: meter.createHistogram(ZIP_DURATION, { unit: 's', description: 'Duration of zip jobs, from subscription to their end.', advice: { explicitBucketBoundaries: JOB_BUCKETS } }),
      jobs: meter.createCounter(ZIP_JOBS, { unit: '{job}', description: 'Zip jobs ended, by outcome.' }),
    };
    cache.set(meter, instruments);
  }
  return instruments;
}
