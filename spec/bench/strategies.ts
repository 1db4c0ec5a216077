/**
 * The schedules the poll-efficiency bench compares: this library's default, a sweep of its main
 * knob, an elapsed-share baseline, and the default schedules of other pollers
 * (/work/shared/peers.md "Default schedules"), all as `backoff` options of `zipProgress$`.
 */
import { ADAPTIVE_DEFAULTS, adaptiveBackoff, type Backoff, type BackoffContext } from '../../lib/index.js';
import type { Random } from './random.js';

/** Where a schedule comes from: how tables group it and charts draw it. */
export type Family = 'default' | 'sweep' | 'elapsed' | 'peer' | 'ceiling';

/** A schedule under test; `make` builds a fresh one per job (seeded jitter restarts per job). */
export interface Strategy {
  readonly name: string;
  readonly family: Family;
  /** The swept value (sweep: lagShare; elapsed: k). */
  readonly knob?: number;
  readonly make: (random: Random) => Backoff | undefined;
}

export const DEFAULT_NAME = 'this library (default, adaptive)';
export const FIXED_2S_NAME = 'fixed 2 s (@azure/core-lro)';

/** AWS waiter (@smithy): attempt n waits U[min, min(min x 2^(n-1), max)], exactly max past the ceiling. */
function awsWaiter(random: Random, minMs = 2000, maxMs = 120_000): (ctx: BackoffContext) => number {
  const ceiling = Math.log2(maxMs / minMs) + 1;
  return ({ polls }) => {
    if (polls > ceiling) return maxMs;
    const top = Math.min(minMs * 2 ** (polls - 1), maxMs);
    return minMs + random() * (top - minMs);
  };
}

/** The peers' default schedules; each name says which library it comes from. */
export const PEERS: readonly Strategy[] = [
  { name: 'fixed 200 ms (pcloud-sdk-js)', family: 'peer', make: () => () => 200 },
  { name: 'fixed 1 s (rx-polling, rxjs-poll)', family: 'peer', make: () => () => 1000 },
  { name: FIXED_2S_NAME, family: 'peer', make: () => () => 2000 },
  { name: 'AWS waiter (2 s .. 120 s, jitter)', family: 'peer', make: (random) => awsWaiter(random) },
  { name: 'google-gax (100 ms x 1.3, <= 60 s)', family: 'peer', make: () => ({ polls }) => Math.min(60_000, 100 * 1.3 ** (polls - 1)) },
  { name: 'backoff-rxjs intervalBackoff (1 s x 2^i)', family: 'peer', make: () => ({ polls }) => 1000 * 2 ** (polls - 1) },
];

/** lagShare values of the sweep (the default's own value is its own row). */
export const LAG_SHARES = [0.01, 0.02, 0.03, 0.04, 0.07, 0.1, 0.15, 0.2] as const;
/** k values of the elapsed-share baseline. */
export const ELAPSED_SHARES = [0.01, 0.02, 0.05, 0.1, 0.2] as const;

/** `x` without trailing zeros, for names. */
const short = (x: number): string => String(Number(x.toPrecision(3)));

/** The name of the elapsed-share baseline of share `k`. */
export const elapsedShareName = (k: number): string =>
  `elapsed share ${short(k)} (${ADAPTIVE_DEFAULTS.minDelay} ms .. ${ADAPTIVE_DEFAULTS.maxDelay / 1000} s)`;

/**
 * The elapsed-share baseline: wait k x the time since subscribing, within the default's
 * [minDelay, maxDelay]. It needs no rate estimate: a job is seen within k of its duration (plus
 * latency), whatever its files do, and long jobs cost maxDelay-spaced requests.
 */
export const elapsedShare =
  (k: number): ((ctx: BackoffContext) => number) =>
  ({ elapsedMs }) =>
    Math.min(ADAPTIVE_DEFAULTS.maxDelay, Math.max(ADAPTIVE_DEFAULTS.minDelay, k * elapsedMs));

/**
 * The ceiling: the next request as soon as the answer is in (this poller never overlaps
 * requests). No schedule that sees only what pCloud reports can see the end sooner; its misses
 * are latency alone.
 */
export const CEILING: Strategy = { name: 'ceiling: back-to-back requests (wait 0)', family: 'ceiling', make: () => () => 0 };


/**
 * Every schedule of a run: the default first, then the sweep, the elapsed-share baseline and the
 * peers (the smoke run keeps every family, with fewer sweep points).
 */
export function strategies(smoke: boolean): Strategy[] {
  const lagShares = smoke ? [0.02, 0.12] : LAG_SHARES;
  const elapsedShares = smoke ? [0.05] : ELAPSED_SHARES;
  return [
    { name: DEFAULT_NAME, family: 'default', knob: ADAPTIVE_DEFAULTS.lagShare, make: () => undefined },
    ...lagShares.map((lagShare): Strategy => ({
      name: `adaptive, lagShare ${short(lagShare)}`,
      family: 'sweep',
      knob: lagShare,
      make: () => adaptiveBackoff({ lagShare }),
    })),
    ...elapsedShares.map((k): Strategy => ({ name: elapsedShareName(k), family: 'elapsed', knob: k, make: () => elapsedShare(k) })),
    ...PEERS,
    CEILING,
  ];
}
