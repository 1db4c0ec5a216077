/**
 * Request latency of the simulated pCloud: the bench's fetch answers after a random delay, and
 * pCloud reads the progress on its way (half-way through the round trip), so an answer is
 * already a little old when it arrives.
 */
import { boundedPareto, type Random } from './random.js';

/** A round-trip latency in ms for one request. */
export type Latency = (random: Random) => number;

/** Bounds and tail of the default latency. */
export const LATENCY = { minMs: 20, maxMs: 300, alpha: 0.5 } as const;

/**
 * Heavy-tailed round trips of 20 ms to 300 ms (bounded Pareto, shape 0.5): median about 50 ms,
 * one in ten above about 180 ms, the way an API across the internet answers.
 *
 * @example
 * ```ts
 * const ms = heavyTailedLatency(seededRandom(1)); // 20 <= ms <= 300
 * ```
 */
export const heavyTailedLatency: Latency = (random) => boundedPareto(random, LATENCY.alpha, LATENCY.minMs, LATENCY.maxMs);

/** The moment pCloud reads the progress for a request sent at `sentMs` that takes `latencyMs`. */
export const serverReadAt = (sentMs: number, latencyMs: number): number => sentMs + latencyMs / 2;
