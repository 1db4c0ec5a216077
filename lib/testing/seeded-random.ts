/**
 * A seeded source of randomness in [0, 1) (mulberry32): the same numbers for the same seed on
 * every machine. Hand it to a schedule's `random` option so jittered waits are reproducible in
 * tests, or use it to generate deterministic fixtures.
 *
 * @example
 * ```ts
 * import { seededRandom } from 'pcloud-zip-progress/testing';
 *
 * zipProgress$({ progresshash, auth, backoff: { jitter: 'full', random: seededRandom(42) } });
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
