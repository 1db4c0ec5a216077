import { lastValueFrom, toArray } from 'rxjs';
import { PCloudApiError, saveZip$, type SaveZipEvent, type SaveZipOptions, TransportError } from '../../lib/index.js';
import { type FakePCloud, type FakeUser, startFakePCloud } from '../../lib/testing/index.js';
import { seedFolder } from '../support/seed.js';

/**
 * saveZip$ tells its waits against the emulator over real HTTP: each fault of a progress poll
 * gives one `retrying` event (or `waiting` before registration) between `started` and the
 * progress that follows it, and the stream still ends with `saved`.
 */
describe('saveZip$: the waits, as events', () => {
  let fake: FakePCloud;
  let user: FakeUser;
  let folderid: number;

  beforeEach(async () => {
    fake = await startFakePCloud({ bytesPerSecond: 20_000 });
    user = fake.addUser();
    folderid = seedFolder(user, '/src', 4, 800);
  });
  afterEach(async () => {
    await fake.close();
  });

  const options = (extra: Partial<SaveZipOptions> = {}): SaveZipOptions => ({
    auth: user.auth,
    apiUrl: fake.url,
    folderid,
    topath: '/all.zip',
    pinServer: false,
    backoff: { initialDelay: 20, maxDelay: 50, jitter: 'none' },
    ...extra,
  });
  const run = (extra: Partial<SaveZipOptions> = {}): Promise<SaveZipEvent[]> => lastValueFrom(saveZip$(options(extra)).pipe(toArray()));
  const types = (events: SaveZipEvent[]): string[] => events.map((e) => e.type).filter((t, i, all) => t !== 'progress' || all[i - 1] !== 'progress');
  const retrying = (events: SaveZipEvent[]) => events.filter((e): e is Extract<SaveZipEvent, { type: 'retrying' }> => e.type === 'retrying');
  /** No credential in any event, nor in the message of an error an event carries. */
  function expectNoToken(events: SaveZipEvent[]): void {
    for (const event of events) {
      expect(JSON.stringify(event)).not.toContain(user.auth);
      if (event.type === 'retrying') expect(`${event.error.message} ${String(event.error.cause)}`).not.toContain(user.auth);
    }
  }

  it('5xxx: retrying with the PCloudApiError and attempt 1, then progress and saved', async () => {
    fake.inject('savezipprogress', { type: 'api-error', code: 5000 });
    const events = await run();
    expect(types(events)).toEqual(['started', 'retrying', 'progress', 'saved']);
    const [event] = retrying(events);
    expect(event).toMatchObject({ attempt: 1, error: { name: 'PCloudApiError', code: 5000, method: 'savezipprogress' } });
    expect(event?.error).toBeInstanceOf(PCloudApiError);
    expect(event?.delayMs).toBeGreaterThan(0);
    expectNoToken(events);
  });

  it('a dropped connection: retrying with a network TransportError, attempts counted in a row', async () => {
    fake.inject('savezipprogress', { type: 'drop' }, { times: 2 });
    const events = await run();
    expect(types(events)).toEqual(['started', 'retrying', 'retrying', 'progress', 'saved']);
    expect(retrying(events).map((e) => [e.attempt, e.error.name, (e.error as TransportError).kind])).toEqual([
      [1, 'TransportError', 'network'],
      [2, 'TransportError', 'network'],
    ]);
    expectNoToken(events);
  });

  it('HTTP 503 with Retry-After: delayMs is the server\u2019s wait, and the next poll keeps it', async () => {
    // ~2 s of zipping at 20 kB/s: the job outlives the 1 s wait.
    user.writeFile('/src/big.bin', Buffer.alloc(40_000, 7));
    fake.inject('savezipprogress', { type: 'http', status: 503, headers: { 'Retry-After': '1' } });
    const events = await run();
    expect(types(events)).toEqual(['started', 'retrying', 'progress', 'saved']);
    const [event] = retrying(events);
    expect(event).toMatchObject({ attempt: 1, delayMs: 1000, error: { name: 'TransportError', kind: 'http', status: 503 } });
    expect(event?.error).toBeInstanceOf(TransportError);
    const polls = fake.requests.filter((r) => r.method === 'savezipprogress');
    expect(polls[1]!.at - polls[0]!.at).toBeGreaterThanOrEqual(990);
    expectNoToken(events);
  });

  it('4000 rate limiting: retrying for the rate-limit wait (the schedule\u2019s longest wait)', async () => {
    fake.inject('savezipprogress', { type: 'api-error', code: 4000 });
    const events = await run();
    expect(types(events)).toEqual(['started', 'retrying', 'progress', 'saved']);
    expect(retrying(events)[0]).toMatchObject({ attempt: 1, delayMs: 50, error: { name: 'PCloudApiError', code: 4000 } });
  });

  it('1901 before registration: waiting (not-registered), then progress', async () => {
    // ~1 s of zipping at 20 kB/s: progress is seen once the job registers.
    user.writeFile('/src/big.bin', Buffer.alloc(20_000, 7));
    fake.inject('savezip', { type: 'delay-registration', ms: 150 });
    const events = await run();
    const order = types(events);
    expect(order[0]).toBe('started');
    expect(order[1]).toBe('waiting');
    expect(order.slice(-2)).toEqual(['progress', 'saved']);
    expect(new Set(order.slice(1, -2))).toEqual(new Set(['waiting']));
    const waiting = events.find((e) => e.type === 'waiting');
    expect(Object.keys(waiting ?? {}).sort()).toEqual(['delayMs', 'reason', 'type']);
    expect(waiting).toMatchObject({ type: 'waiting', reason: 'not-registered', delayMs: expect.any(Number) as number });
  });
});
