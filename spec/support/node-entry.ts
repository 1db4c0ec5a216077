/**
 * Jest setup of the lib project: specs run as a Node user's code runs, through the Node entry
 * (`pcloud-zip-progress` resolves to lib/node.ts under the `node` export condition), so every
 * spec gets the default transport Node users get: one connection pool per credential.
 */
import '../../lib/node.js';
