import type { Attributes } from '@opentelemetry/api';
import { pcloudErrorCategory } from '../pcloud/error-codes.js';
import { ERROR_TYPE, HTTP_RESPONSE_STATUS_CODE, OTHER, PCLOUD_ERROR_CODE, RETRY_REASON } from './names.js';

/**
 * Why a poll was retried, as a low-cardinality metric attribute: the server asked to slow down
 * (HTTP 429, pCloud 4xxx), pCloud failed inside (5xxx), a proxy or server answered another HTTP
 * error, the connection failed, or the request outlived `requestTimeout`.
 */
export type RetryReason = 'network' | 'timeout' | 'http' | 'redirect' | 'rate_limited' | 'server' | 'api' | 'other';

/** The fields read off the library's errors, by name (no import: any copy of the library works). */
interface ErrorFields {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly status?: unknown;
  readonly kind?: unknown;
}

function fieldsOf(error: unknown): ErrorFields {
  return typeof error === 'object' && error !== null ? error : {};
}

/** `error.type`: the error's class name (`PCloudApiError`, `TransportError`, `TypeError`...), or `_OTHER`. */
export function errorType(error: unknown): string {
  const { name } = fieldsOf(error);
  return typeof name === 'string' && name !== '' ? name : OTHER;
}

/**
 * `error.type`, and pCloud's `result` code of a `PCloudApiError` or the HTTP status of a
 * `TransportError`. Never the message: it may quote the server.
 */
export function errorAttributes(error: unknown): Attributes {
  const type = errorType(error);
  const { code, status } = fieldsOf(error);
  const attributes: Attributes = { [ERROR_TYPE]: type };
  if (type === 'PCloudApiError' && typeof code === 'number') attributes[PCLOUD_ERROR_CODE] = code;
  if (type === 'TransportError' && typeof status === 'number') attributes[HTTP_RESPONSE_STATUS_CODE] = status;
  return attributes;
}

/** The reason a poll is retried after `error` (see {@link RetryReason}). */
export function retryReason(error: unknown): RetryReason {
  const { name, code, status, kind } = fieldsOf(error);
  if (name === 'TransportError') {
    if (kind === 'http') return status === 429 ? 'rate_limited' : 'http';
    if (kind === 'network' || kind === 'timeout' || kind === 'redirect') return kind;
  }
  if (name === 'PCloudApiError' && typeof code === 'number') {
    // The library's own grouping of result codes, which its retry rule follows.
    const category = pcloudErrorCategory(code);
    return category === 'rate-limit' ? 'rate_limited' : category === 'internal' ? 'server' : 'api';
  }
  return 'other';
}

/** {@link errorAttributes} with the retry's reason. */
export function retryAttributes(error: unknown): Attributes {
  return { ...errorAttributes(error), [RETRY_REASON]: retryReason(error) };
}
