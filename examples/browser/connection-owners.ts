/**
 * Which account this browser's open connections to a pCloud host may belong to.
 *
 * pCloud binds a keep-alive connection to the first account that logs in on it, and ignores the
 * credentials of every later request on it (pclouddoc api.txt). A page cannot choose or close the
 * browser's connections: in Chromium 156 an idle connection is reused for up to 5 minutes after
 * its last request, across reloads, navigations and tabs of the same site (measured: README, "One
 * account per connection"). So after one account's requests to a host, another account must not
 * use that host from this browser until those connections have gone idle long enough to close.
 *
 * Pure apart from the storage it is given, so a spec checks it without a browser.
 */

/**
 * How long after an account's last request another account waits: Chromium's timeout for a used
 * idle socket (300 s, net/socket/client_socket_pool.cc), plus its cleanup tick. Firefox closes
 * idle connections sooner (network.http.keep-alive.timeout, 115 s by default).
 */
export const CONNECTION_IDLE_MS = 5 * 60_000 + 10_000;

/** The `localStorage` key: shared by the tabs of the page, which share the browser's connections. */
export const CONNECTION_OWNERS_KEY = 'pcloud-zip-progress-demo:connection-owners';

/** The last account that used a host, and when its last request ended (epoch ms). */
interface Owner {
  readonly account: string;
  readonly lastUsedAt: number;
}

type Owners = Record<string, Owner>;

function isOwner(value: unknown): value is Owner {
  if (typeof value !== 'object' || value === null) return false;
  const owner = value as Record<string, unknown>;
  return typeof owner.account === 'string' && typeof owner.lastUsedAt === 'number';
}

/**
 * Remembers, per API origin, the account that last used it. Accounts are opaque keys (see
 * {@link accountKey}): the token itself is never stored.
 */
export class ConnectionOwners {
  /** Used when there is no storage (or it is blocked): the rule then holds until a reload. */
  #memory: Owners = {};

  constructor(
    private readonly storage: Storage | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  #read(): Owners {
    try {
      const text = this.storage?.getItem(CONNECTION_OWNERS_KEY);
      if (text === null || text === undefined) return this.#memory;
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) return {};
      return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, Owner] => isOwner(entry[1])));
    } catch {
      return this.#memory;
    }
  }

  #write(owners: Owners): void {
    this.#memory = owners;
    try {
      this.storage?.setItem(CONNECTION_OWNERS_KEY, JSON.stringify(owners));
    } catch {
      // Blocked or full: the copy in memory still guards this page.
    }
  }

  /**
   * How long `account` must wait before sending requests to `origin` (ms), 0 when it may now: the
   * origin was last used by another account less than {@link CONNECTION_IDLE_MS} ago.
   */
  waitBefore(origin: string, account: string): number {
    const owner = this.#read()[origin];
    if (owner === undefined || owner.account === account) return 0;
    return Math.max(0, owner.lastUsedAt + CONNECTION_IDLE_MS - this.now());
  }

  /** Records that `account` is using `origin` now (at the start and at the end of each run). */
  use(origin: string, account: string): void {
    const now = this.now();
    // Entries past the idle window say nothing any more: drop them.
    const kept = Object.entries(this.#read()).filter(([, owner]) => owner.lastUsedAt + CONNECTION_IDLE_MS > now);
    this.#write({ ...Object.fromEntries(kept), [origin]: { account, lastUsedAt: now } });
  }
}

/**
 * An opaque key for the account a token logs in to: the first 128 bits of its SHA-256, in hex.
 * Two tokens of one account are two keys; that only makes the page wait when it need not.
 * Without Web Crypto (a page served over plain http off this machine), undefined.
 */
export async function accountKey(token: string, webCrypto: { readonly subtle?: SubtleCrypto } = globalThis.crypto ?? {}): Promise<string | undefined> {
  const { subtle } = webCrypto;
  if (subtle === undefined) return undefined;
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest).subarray(0, 16)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
