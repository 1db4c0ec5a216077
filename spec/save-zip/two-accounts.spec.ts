import { Agent } from 'undici';
import { concatMap, firstValueFrom, lastValueFrom, merge, timer, toArray } from 'rxjs';
import { saveZip$, type SaveZipEvent, zipFileMetadata$, type ZipJobRef, zipProgress$ } from '../../lib/index.js';
import { type FakePCloud, type FakeUser, startFakePCloud } from '../../lib/testing/index.js';
import { seedFolder } from '../support/seed.js';
import { waitFor } from '../support/wait.js';

/**
 * Two accounts in one Node process against the emulator, which binds each keep-alive connection
 * to its first login as pCloud's api.txt says. Every call of the library, interleaved across the
 * two accounts: each account sees only its own jobs and files.
 */
describe('two accounts in one process (emulator binds connections, as pCloud does)', () => {
  let fake: FakePCloud;
  let ann: FakeUser;
  let bob: FakeUser;
  const fast = { initialDelay: 5, maxDelay: 20, jitter: 'none' } as const;

  /** Each account's own tree: Ann 3 files, Bob 5, so a crossed job shows in its totals. */
  const seed = (user: FakeUser, files: number): number => seedFolder(user, '/src', files, 2_000, (i) => `${user.email}-${i}.bin`);

  beforeEach(async () => {
    fake = await startFakePCloud({ bytesPerSecond: 40_000 });
    ann = fake.addUser({ email: 'ann@example.test' });
    bob = fake.addUser({ email: 'bob@example.test' });
  });
  afterEach(async () => {
    await fake.close();
  });

  /** Both accounts' zips at once, then again one after the other (reusing idle connections). */
  async function saveBoth(fetch?: typeof globalThis.fetch): Promise<SaveZipEvent[][]> {
    const annFolder = seed(ann, 3);
    const bobFolder = seed(bob, 5);
    const save = (user: FakeUser, folderid: number, topath: string) =>
      saveZip$({ auth: user.auth, apiUrl: fake.url, folderid, topath, backoff: fast, ...(fetch ? { fetch } : {}) }).pipe(toArray());
    const together = await lastValueFrom(merge(save(ann, annFolder, '/ann-1.zip'), save(bob, bobFolder, '/bob-1.zip')).pipe(toArray()));
    const annAgain = await lastValueFrom(timer(20).pipe(concatMap(() => save(ann, annFolder, '/ann-2.zip'))));
    const bobAgain = await lastValueFrom(timer(20).pipe(concatMap(() => save(bob, bobFolder, '/bob-2.zip'))));
    return [...together, annAgain, bobAgain];
  }

  it('saveZip$: each zip lands in its own account, holding its own files, and re-attach and zipFileMetadata$ see their own job', async () => {
    const runs = await saveBoth();
    const saved = runs.map((events) => events.at(-1));
    expect(saved.map((event) => event?.type)).toEqual(['saved', 'saved', 'saved', 'saved']);
    for (const [user, other, files] of [[ann, bob, 3], [bob, ann, 5]] as const) {
      const name = user === ann ? 'ann' : 'bob';
      for (const zip of [`/${name}-1.zip`, `/${name}-2.zip`]) {
        expect(user.stat(zip)).toBeDefined();
        expect(other.stat(zip)).toBeUndefined();
      }
      const finalProgress = runs
        .filter((events) => events.some((e) => e.type === 'saved' && (e.metadata.path ?? '').startsWith(`/${name}-`)))
        .map((events) => events.filter((e) => e.type === 'progress').at(-1));
      for (const last of finalProgress) expect(last).toMatchObject({ progress: { totalfiles: files } });
    }
    // Both accounts were served, each on connections of its own.
    const usersOf = new Map<number, Set<number>>();
    for (const r of fake.requests) if (r.userid !== undefined) usersOf.set(r.connection, (usersOf.get(r.connection) ?? new Set()).add(r.userid));
    expect(new Set([...usersOf.values()].flatMap((users) => [...users]))).toEqual(new Set([ann.userid, bob.userid]));
    expect([...usersOf.values()].every((users) => users.size === 1)).toBe(true);

    // zipFileMetadata$ of each account's stored job: its own file's metadata.
    const started = runs.map((events) => events.find((e): e is Extract<SaveZipEvent, { type: 'started' }> => e.type === 'started')!.job);
    const owner = (job: ZipJobRef) => ('topath' in job.destination && job.destination.topath.startsWith('/ann-') ? ann : bob);
    const metadata = await Promise.all(started.map((job) => firstValueFrom(zipFileMetadata$({ job, auth: owner(job).auth, apiUrl: fake.url }))));
    metadata.forEach((m, i) => { expect(m).toEqual(owner(started[i]!).stat((started[i]!.destination as { topath: string }).topath)); });
  });

  it('zipProgress$ and re-attach, interleaved: each account follows its own job to its own totals; the other account\'s hash is not found', async () => {
    const annFolder = seed(ann, 3);
    const bobFolder = seed(bob, 5);
    const annHash = fake.startZip(ann, { folderid: annFolder, topath: '/ann.zip' });
    const bobHash = fake.startZip(bob, { folderid: bobFolder, topath: '/bob.zip' });
    const ref = (progresshash: string, topath: string): ZipJobRef => ({ progresshash, apiUrl: fake.url, destination: { topath }, startedAt: Date.now() });
    const [annSeen, bobSeen, annAttached, bobAttached] = await Promise.all([
      lastValueFrom(zipProgress$({ progresshash: annHash, auth: ann.auth, apiUrl: fake.url, backoff: fast })),
      lastValueFrom(zipProgress$({ progresshash: bobHash, accessToken: bob.accessToken, apiUrl: fake.url, backoff: fast })),
      lastValueFrom(zipProgress$({ job: ref(annHash, '/ann.zip'), auth: ann.auth, apiUrl: fake.url, backoff: fast })),
      lastValueFrom(zipProgress$({ job: ref(bobHash, '/bob.zip'), auth: bob.auth, apiUrl: fake.url, backoff: fast })),
    ]);
    expect([annSeen, bobSeen, annAttached, bobAttached].map((p) => [p.done, p.totalfiles])).toEqual([[true, 3], [true, 5], [true, 3], [true, 5]]);
    // Right after, on whatever connections are idle: Bob asking for Ann's job gets 1901.
    const crossed = await lastValueFrom(zipProgress$({ progresshash: annHash, auth: bob.auth, apiUrl: fake.url, backoff: fast, notFoundGrace: 0 })).catch((error: unknown) => error);
    expect(crossed).toMatchObject({ name: 'PCloudApiError', code: 1901 });
  });

  const fileidOf = (user: FakeUser, path: string): number | undefined => {
    const metadata = user.stat(path);
    return metadata !== undefined && 'fileid' in metadata ? metadata.fileid : undefined;
  };

  /** Both accounts' finished jobs, watched one account after the other, then their zips looked up. */
  async function watchInTurn(fetch?: typeof globalThis.fetch): Promise<unknown[]> {
    const annHash = fake.startZip(ann, { folderid: seed(ann, 3), topath: '/ann.zip' });
    const bobHash = fake.startZip(bob, { folderid: seed(bob, 5), topath: '/bob.zip' });
    await waitFor('both zips', () => ann.stat('/ann.zip') !== undefined && bob.stat('/bob.zip') !== undefined, 5000, 10);
    const common = { apiUrl: fake.url, backoff: fast, notFoundGrace: 0, ...(fetch ? { fetch } : {}) };
    const job = (progresshash: string, topath: string): ZipJobRef => ({ progresshash, apiUrl: fake.url, destination: { topath }, startedAt: Date.now() });
    const outcomes: unknown[] = [];
    for (const [user, hash, topath] of [[ann, annHash, '/ann.zip'], [bob, bobHash, '/bob.zip']] as const) {
      outcomes.push(await lastValueFrom(zipProgress$({ ...common, progresshash: hash, auth: user.auth })).then((p) => p.totalfiles, (error: unknown) => error));
      outcomes.push(await firstValueFrom(zipFileMetadata$({ ...common, job: job(hash, topath), auth: user.auth })).then((m) => m.fileid, (error: unknown) => error));
    }
    return outcomes;
  }

  it('finished jobs watched one account after the other: each sees its own job and zip', async () => {
    const outcomes = await watchInTurn();
    expect(outcomes).toEqual([3, fileidOf(ann, '/ann.zip'), 5, fileidOf(bob, '/bob.zip')]);
  });

  it('the same calls over one deliberately shared connection act as the first account: the second cannot see its own job or zip', async () => {
    const shared = new Agent({ connections: 1 });
    const sharedFetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, { ...init, dispatcher: shared } as RequestInit);
    try {
      const outcomes = await watchInTurn(sharedFetch);
      expect(outcomes.slice(0, 2)).toEqual([3, fileidOf(ann, '/ann.zip')]);
      expect(outcomes[2]).toMatchObject({ name: 'PCloudApiError', code: 1901 });
      expect(outcomes[3]).toMatchObject({ name: 'PCloudApiError' });
      // One connection carried both accounts' requests, all acting as Ann.
      expect(new Set(fake.requests.map((r) => r.connection)).size).toBe(1);
      expect(new Set(fake.requests.map((r) => r.userid))).toEqual(new Set([ann.userid]));
    } finally {
      await shared.close();
    }
  });
});
