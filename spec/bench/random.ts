/**
 * Seeded random numbers for the simulated jobs: the same draws for the same seed on every
 * machine (mulberry32 from the testing entry), and the few distributions the mixes use.
 */
import { seededRandom } from '../../lib/testing/seeded-random.js';

/** A source of numbers in [0, 1), like `Math.random`. */
export type Random = () => number;

export { seededRandom };

/** Uniform in [min, max). */
export const uniform = (random: Random, min: number, max: number): number => min + (max - min) * random();

/** A number whose logarithm is uniform in [ln min, ln max]: every order of magnitude equally likely. */
export const logUniform = (random: Random, min: number, max: number): number => min * (max / min) ** random();

/** True with probability `p`. */
export const chance = (random: Random, p: number): boolean => random() < p;

/** One of `items`, each equally likely. */
export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/**
 * Pareto with scale 1 and shape `alpha` (heavy tail: the smaller alpha, the more often a draw is
 * many times the typical one).
 */
export const pareto = (random: Random, alpha: number): number => (1 - random()) ** (-1 / alpha);

/**
 * Pareto of shape `alpha` bounded to [min, max] (inverse CDF of the truncated law): most draws
 * near `min`, a long tail up to `max`.
 */
export function boundedPareto(random: Random, alpha: number, min: number, max: number): number {
  const u = random();
  const ratio = (min / max) ** alpha;
  return min / (1 - u * (1 - ratio)) ** (1 / alpha);
}

/**
 * A seed for a sub-stream, from a parent seed and an index, so that adding draws to one stream
 * (one job, one job's requests) never shifts another.
 */
export const subSeed = (seed: number, index: number): number => (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
