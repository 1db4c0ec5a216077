/**
 * `pcloud-zip-progress/testing`: a local, Node-only pCloud emulator for tests and demos.
 *
 * @example
 * import { startFakePCloud } from 'pcloud-zip-progress/testing';
 * const fake = await startFakePCloud({ bytesPerSecond: 50_000 });
 * const user = fake.addUser();
 * user.writeFile('/docs/a.txt', 'hello');
 * await fake.close();
 *
 * @module pcloud-zip-progress/testing
 */
export { startFakePCloud } from './server.js';
export type { FakePCloud, FakePCloudOptions } from './server.js';
export type { AddUserOptions, FakeUser } from './users.js';
export type { Fault, InjectOptions } from './faults.js';
export type { RecordedRequest } from './request-log.js';
export type { CredentialLocation } from './params.js';
export type { FileMetadata, FolderMetadata, Metadata } from './filesystem.js';
export type { ZipJobInfo } from './zip-jobs.js';
export { seededRandom } from './seeded-random.js';
