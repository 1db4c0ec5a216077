/**
 * Spec helpers: a local pCloud emulator (the library's own, over real HTTP) with one user and a
 * folder of files, and the `PCLOUD_CONFIG` that points the app at it.
 */
import { startFakePCloud, type FakePCloud, type FakeUser, type RecordedRequest } from 'pcloud-zip-progress/testing';
import type { PCloudConfig } from '../app/zip-jobs.service';

export interface PCloudFixture {
  readonly fake: FakePCloud;
  readonly user: FakeUser;
  /** The folder holding the files to zip. */
  readonly folderid: number;
  /** Config for `providePCloud`: the emulator, the user's token, a fast fixed poll interval. */
  readonly config: PCloudConfig;
}

/** Poll every 40 ms (no jitter), so that a job of about a second shows several snapshots. */
export const POLL_MS = 40;

/**
 * Starts the emulator with `files` files of `fileSize` bytes in /photos, zipped at
 * `bytesPerSecond`: each file takes fileSize / bytesPerSecond seconds and progress moves once
 * per file, as on pCloud.
 */
export async function startPCloud({ bytesPerSecond, files = 5, fileSize = 20_000 }: { bytesPerSecond: number; files?: number; fileSize?: number }): Promise<PCloudFixture> {
  const fake = await startFakePCloud({ bytesPerSecond });
  const user = fake.addUser();
  const { folderid } = user.mkdir('/photos');
  for (let i = 0; i < files; i++) user.writeFile(`/photos/p${i}.jpg`, String(i).repeat(fileSize));
  user.mkdir('/zips');
  const config: PCloudConfig = { apiUrl: fake.url, auth: user.auth, backoff: { initialDelay: POLL_MS, maxDelay: POLL_MS, jitter: 'none' } };
  return { fake, user, folderid, config };
}

/** The emulator's log of one method's requests. */
export function requestsOf(fake: FakePCloud, method: string): RecordedRequest[] {
  return fake.requests.filter((request) => request.method === method);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first truthy value of `probe`, checked every 10 ms; rejects after `timeout` ms. */
export async function waitFor<T>(what: string, probe: () => T | undefined | null | false, timeout = 5000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Polls stop: no new request of `method` arrives during `quietMs` (several poll intervals). */
export async function expectNoMoreRequests(fake: FakePCloud, method: string, quietMs = 8 * POLL_MS): Promise<void> {
  const before = requestsOf(fake, method).length;
  await sleep(quietMs);
  expect(requestsOf(fake, method).length).toBe(before);
}
