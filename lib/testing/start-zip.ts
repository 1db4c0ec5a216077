/**
 * Jobs started by "another client" (`FakePCloud.startZip`): what they need beyond savezip's own code.
 */
import { randomBytes } from 'node:crypto';

/**
 * A random progresshash for a job started without one (32 hex digits, like `saveZip$`'s).
 *
 * @example
 * newStartZipHash(); // '3f9c...'
 */
export function newStartZipHash(): string {
  return randomBytes(16).toString('hex');
}
