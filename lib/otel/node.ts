/**
 * pcloud-zip-progress/otel for Node (the `node` export condition): the same wrappers, whose
 * default fetch is one connection pool per credential (`accountFetch`), as the library's own
 * Node default, so tracing never makes two accounts share a keep-alive connection.
 * @packageDocumentation
 * @module pcloud-zip-progress/otel (Node)
 */
import { accountFetch } from '../node/account-pools.js';
import { setDefaultFetchFor } from './default-fetch.js';

setDefaultFetchFor(accountFetch);

export * from '../otel.js';
