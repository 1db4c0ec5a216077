/**
 * Each HTTP request of a job as a CLIENT span, child of the job's span, following the HTTP
 * client semantic conventions, and as a `http.client.request.duration` measurement.
 *
 * Why child spans and not span events on the job span: each poll is an HTTP request with a
 * duration and a status, which the HTTP conventions model as a client span (and the duration
 * metric); a span event has a timestamp and no duration, so a slow poll, a timeout or a 503
 * would not show as such in a trace view.
 *
 * The span ends when the response headers arrive: pCloud's answers are a few hundred bytes, and
 * `savezip` answers only once the zip exists. A failure reading the body afterwards shows on the
 * job span (its error), not here.
 *
 * No credential reaches an attribute: the library sends them in the POST body or the
 * `Authorization` header, never read here, and `url.full` is cut to scheme, host and path (no
 * query, no user info) in case a custom `apiUrl` carries one.
 */
import { type Attributes, type Context, context, type Histogram, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { errorType } from './error-attributes.js';
import { ERROR_TYPE, HTTP_REQUEST_METHOD, HTTP_RESPONSE_STATUS_CODE, OTHER, PCLOUD_METHOD, REQUEST_CANCELLED, SERVER_ADDRESS, SERVER_PORT, URL_FULL } from './names.js';

/** What every request to one URL with one method records, worked out once per job. */
interface Target {
  /** The span name: the HTTP method, or `HTTP` for a method the conventions do not list. */
  readonly spanName: string;
  /** pCloud's method: the last path segment (`savezipprogress`, `savezip`, `currentserver`). */
  readonly pcloudMethod: string;
  /** The span's attributes. */
  readonly attributes: Attributes;
  /** The duration's: the span's but `url.full`, which the conventions keep out of metrics. */
  readonly metricAttributes: Attributes;
}

const KNOWN_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

/**
 * `server.address` (an IPv6 literal without its brackets, as the conventions spell an address)
 * and `server.port` (the URL's, or its scheme's default) of a URL: never its path, query or user
 * info. The job span's too.
 */
export function serverAttributes(url: URL): Attributes {
  return { [SERVER_ADDRESS]: url.hostname.replace(/^\[(.*)\]$/, '$1'), [SERVER_PORT]: url.port !== '' ? Number(url.port) : url.protocol === 'http:' ? 80 : 443 };
}

function targetOf(href: string, method: string): Target {
  const url = new URL(href);
  const known = KNOWN_METHODS.has(method);
  const pcloudMethod = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const metricAttributes: Attributes = {
    [HTTP_REQUEST_METHOD]: known ? method : OTHER,
    ...serverAttributes(url),
    [PCLOUD_METHOD]: pcloudMethod,
  };
  return {
    spanName: known ? method : 'HTTP',
    pcloudMethod,
    attributes: { ...metricAttributes, [URL_FULL]: `${url.protocol}//${url.host}${url.pathname}` },
    metricAttributes,
  };
}

/** The URL and method of a fetch call (ky passes a Request; any caller may pass a string or URL). */
function requestOf(input: Parameters<typeof globalThis.fetch>[0], init: RequestInit | undefined): [href: string, method: string] {
  if (typeof input === 'string') return [input, (init?.method ?? 'GET').toUpperCase()];
  if ('href' in input) return [input.href, (init?.method ?? 'GET').toUpperCase()];
  return [input.url, (init?.method ?? input.method).toUpperCase()];
}

/** What a traced fetch reports to its job. */
export interface FetchProbe {
  readonly tracer: Tracer;
  /** The job span's context: the parent of every request span. */
  readonly parent: Context;
  readonly requestDuration: Histogram;
  /** Told each request's pCloud method before it is sent (the job counts its polls). */
  readonly onRequest: (pcloudMethod: string) => void;
  /** Whether the job has ended (done, failed or cancelled). */
  readonly jobEnded: () => boolean;
}

/** `inner`, with each request recorded as a CLIENT span under `probe.parent` and as a duration. */
export function tracedFetch(inner: typeof globalThis.fetch, probe: FetchProbe): typeof globalThis.fetch {
  const { tracer, parent, requestDuration, onRequest, jobEnded } = probe;
  // A job calls two or three URLs: each is parsed once.
  const targets = new Map<string, Target>();
  return async (input, init) => {
    const [href, method] = requestOf(input, init);
    const key = `${method} ${href}`;
    let target = targets.get(key);
    if (target === undefined) {
      target = targetOf(href, method);
      targets.set(key, target);
    }
    onRequest(target.pcloudMethod);
    const span = tracer.startSpan(target.spanName, { kind: SpanKind.CLIENT, attributes: target.attributes }, parent);
    const startedAt = performance.now();
    let outcome: Attributes = {};
    try {
      // The request span is the active context while fetch runs: an instrumented fetch or undici
      // below nests its own spans under it.
      const response = await context.with(trace.setSpan(parent, span), inner, undefined, input, init);
      const { status } = response;
      outcome = { [HTTP_RESPONSE_STATUS_CODE]: status };
      span.setAttribute(HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 400) {
        // The conventions: error.type is the status code; no status message (the code says it).
        outcome[ERROR_TYPE] = String(status);
        span.setAttribute(ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return response;
    } catch (error) {
      // Aborted because the job ended (savezip answered while a poll was in flight, or the
      // caller unsubscribed): a cancellation, not a failed request. A timeout aborts while the
      // job goes on, and stays an error.
      if (jobEnded()) {
        outcome = { [REQUEST_CANCELLED]: true };
        span.setAttribute(REQUEST_CANCELLED, true);
        throw error;
      }
      const type = errorType(error);
      outcome = { [ERROR_TYPE]: type };
      span.setAttribute(ERROR_TYPE, type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      throw error;
    } finally {
      span.end();
      requestDuration.record((performance.now() - startedAt) / 1000, { ...target.metricAttributes, ...outcome });
    }
  };
}
