/**
 * The web demo's rule for switching accounts (examples/browser/connection-owners.ts), without a
 * browser: another account waits until the browser's connections of the last one have closed.
 */
import { accountKey, CONNECTION_IDLE_MS, CONNECTION_OWNERS_KEY, ConnectionOwners } from '../../examples/browser/connection-owners.js';

/** A Web Storage area in memory; `blocked` makes every call throw, as a browser's privacy setting does. */
function memoryStorage(blocked = false): Storage & { readonly items: Map<string, string> } {
  const items = new Map<string, string>();
  const guard = (): void => {
    if (blocked) throw new DOMException('The operation is insecure.', 'SecurityError');
  };
  return {
    items,
    get length() {
      return items.size;
    },
    clear: () => {
      guard();
      items.clear();
    },
    getItem: (key) => {
      guard();
      return items.get(key) ?? null;
    },
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => {
      guard();
      items.delete(key);
    },
    setItem: (key, value) => {
      guard();
      items.set(key, value);
    },
  };
}

const US = 'https://api.pcloud.com';
const EU = 'https://eapi.pcloud.com';

describe('ConnectionOwners', () => {
  let now: number;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('makes another account wait until the idle window after the last use has passed', () => {
    const owners = new ConnectionOwners(memoryStorage(), clock);
    expect(owners.waitBefore(US, 'bob')).toBe(0);
    owners.use(US, 'alice');
    now += 60_000;
    expect(owners.waitBefore(US, 'bob')).toBe(CONNECTION_IDLE_MS - 60_000);
    // Every use restarts the window, as every request restarts the browser's idle timer.
    owners.use(US, 'alice');
    now += CONNECTION_IDLE_MS - 1;
    expect(owners.waitBefore(US, 'bob')).toBe(1);
    now += 1;
    expect(owners.waitBefore(US, 'bob')).toBe(0);
  });

  it('lets the same account go on, and another origin (other connections) at once', () => {
    const owners = new ConnectionOwners(memoryStorage(), clock);
    owners.use(US, 'alice');
    expect(owners.waitBefore(US, 'alice')).toBe(0);
    expect(owners.waitBefore(EU, 'bob')).toBe(0);
    owners.use(EU, 'bob');
    expect(owners.waitBefore(EU, 'alice')).toBe(CONNECTION_IDLE_MS);
    expect(owners.waitBefore(US, 'bob')).toBe(CONNECTION_IDLE_MS);
  });

  it('the window is longer than Chromium keeps a used idle connection (300 s, measured)', () => {
    expect(CONNECTION_IDLE_MS).toBeGreaterThan(300_000);
  });

  it('survives a reload and is shared by tabs: the record lives in the storage given', () => {
    const storage = memoryStorage();
    new ConnectionOwners(storage, clock).use(US, 'alice');
    const afterReload = new ConnectionOwners(storage, clock);
    expect(afterReload.waitBefore(US, 'bob')).toBe(CONNECTION_IDLE_MS);
    expect([...storage.items.keys()]).toEqual([CONNECTION_OWNERS_KEY]);
  });

  it('drops entries past the window, and ignores a malformed record', () => {
    const storage = memoryStorage();
    const owners = new ConnectionOwners(storage, clock);
    owners.use(US, 'alice');
    now += CONNECTION_IDLE_MS;
    owners.use(EU, 'bob');
    expect(Object.keys(JSON.parse(storage.items.get(CONNECTION_OWNERS_KEY) ?? '{}') as object)).toEqual([EU]);
    // Written by something else: malformed entries say nothing; unreadable text leaves what this
    // page itself recorded.
    storage.setItem(CONNECTION_OWNERS_KEY, JSON.stringify({ [EU]: { account: 7 }, [US]: 'x' }));
    expect(owners.waitBefore(EU, 'alice')).toBe(0);
    storage.setItem(CONNECTION_OWNERS_KEY, 'not json');
    expect(owners.waitBefore(EU, 'alice')).toBe(CONNECTION_IDLE_MS);
    expect(new ConnectionOwners(storage, clock).waitBefore(EU, 'alice')).toBe(0);
  });

  it('still guards the page when the browser blocks storage, or there is none', () => {
    for (const storage of [memoryStorage(true), undefined]) {
      const owners = new ConnectionOwners(storage, clock);
      owners.use(US, 'alice');
      expect(owners.waitBefore(US, 'bob')).toBe(CONNECTION_IDLE_MS);
    }
  });
});

describe('accountKey', () => {
  it('is the same for a token, differs between tokens, and does not contain the token', async () => {
    const token = 'a'.repeat(40);
    const key = await accountKey(token);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(await accountKey(token)).toBe(key);
    expect(await accountKey(`${token}b`)).not.toBe(key);
    expect(key).not.toContain(token.slice(0, 8));
  });

  it('is undefined without Web Crypto (the page then keeps its record in memory only)', async () => {
    expect(await accountKey('token', {})).toBeUndefined();
  });
});
