/**
 * pcloud-zip-progress for Node: everything of the main entry, with one connection pool per
 * credential as the default transport (see {@link accountFetch}). Node resolves
 * `pcloud-zip-progress` here by itself (the `node` export condition); import
 * `pcloud-zip-progress/node` to name {@link accountFetch}.
 * @packageDocumentation
 * @module pcloud-zip-progress/node
 */
import { accountFetch } from './node/account-pools.js';
import { setAccountTransport } from './pcloud/platform-fetch.js';

setAccountTransport(accountFetch);

export * from './index.js';
export { accountFetch } from './node/account-pools.js';
