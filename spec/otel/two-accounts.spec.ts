import { filter, lastValueFrom, map, toArray } from 'rxjs';
import { saveZip$, zipProgressEvents$ } from '../../lib/index.js';
import { traceSaveZip, traceZipProgress } from '../../lib/otel/node.js';
import { type FakePCloud, type FakeUser, startFakePCloud } from '../../lib/testing/index.js';
import { seedFolder } from '../support/seed.js';
import { waitFor } from '../support/wait.js';

/**
 * The Node build of pcloud-zip-progress/otel keeps the library's default of one connection pool
 * per credential: the traced calls, given no `fetch`, never send two accounts' requests over one
 * keep-alive connection (the emulator binds each connection to its first login, as pCloud does).
 */
describe('pcloud-zip-progress/otel in Node: one connection pool per account by default', () => {
  let fake: FakePCloud;
  let ann: FakeUser;
  let bob: FakeUser;
  const backoff = { initialDelay: 5, maxDelay: 20, jitter: 'none' } as const;

  const seed = (user: FakeUser, files: number): number => seedFolder(user, '/src', files, 2_000, (i) => `${user.email}-${i}.bin`);

  beforeEach(async () => {
    fake = await startFakePCloud({ bytesPerSecond: 40_000 });
    ann = fake.addUser({ email: 'ann@example.test' });
    bob = fake.addUser({ email: 'bob@example.test' });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('two accounts one after the other, through the traced wrappers (no SDK needed): each sees its own job and saves its own zip', async () => {
    const folders = new Map([[ann, seed(ann, 3)], [bob, seed(bob, 5)]]);
    const annHash = fake.startZip(ann, { folderid: folders.get(ann)!, topath: '/ann.zip' });
    const bobHash = fake.startZip(bob, { folderid: folders.get(bob)!, topath: '/bob.zip' });
    await waitFor('both zips', () => ann.stat('/ann.zip') !== undefined && bob.stat('/bob.zip') !== undefined, 5000, 10);
    const watch = traceZipProgress(zipProgressEvents$);
    const save = traceSaveZip(saveZip$);
    const outcomes: unknown[] = [];
    // In turn: the second account's first request finds the first one's idle connection, unless
    // each account has a pool of its own.
    for (const [user, hash] of [[ann, annHash], [bob, bobHash]] as const) {
      const totals = watch({ progresshash: hash, auth: user.auth, apiUrl: fake.url, backoff, notFoundGrace: 0 }).pipe(
        filter((event) => event.type === 'progress'),
        map((event) => event.progress.totalfiles),
      );
      outcomes.push(await lastValueFrom(totals).catch((error: unknown) => error));
    }
    for (const user of [ann, bob]) {
      const events = save({ auth: user.auth, apiUrl: fake.url, folderid: folders.get(user)!, topath: '/again.zip', backoff, pinServer: false }).pipe(toArray());
      outcomes.push(await lastValueFrom(events).then((all) => all.at(-1)?.type, (error: unknown) => error));
    }
    expect(outcomes).toEqual([3, 5, 'saved', 'saved']);
    expect(ann.stat('/again.zip')).toBeDefined();
    expect(bob.stat('/again.zip')).toBeDefined();
    // Each connection carried one account's requests.
    const usersOf = new Map<number, Set<number>>();
    for (const r of fake.requests) if (r.userid !== undefined) usersOf.set(r.connection, (usersOf.get(r.connection) ?? new Set()).add(r.userid));
    expect([...usersOf.values()].every((users) => users.size === 1)).toBe(true);
    expect(new Set([...usersOf.values()].flatMap((users) => [...users]))).toEqual(new Set([ann.userid, bob.userid]));
  });
});
