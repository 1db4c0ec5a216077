import { invalidOption, type OptionRule } from './option-rules.js';

/** What a duration may be besides a positive number of ms. */
export interface DurationRules {
  /** Accept 0 (default false: the duration must be > 0). */
  readonly allowZero?: boolean;
  /** Accept `Infinity`, meaning "never" (default true). */
  readonly allowInfinity?: boolean;
}

/**
 * Whether `value` is a duration in ms under `rules`: a number, not NaN, > 0 (or >= 0), finite
 * unless Infinity is allowed. Any size is fine: waits longer than a platform timer can hold are
 * chained by `scheduleAfter`.
 */
export function isDuration(value: unknown, rules: DurationRules = {}): value is number {
  return typeof value === 'number' && !Number.isNaN(value) && (rules.allowZero ? value >= 0 : value > 0) && (rules.allowInfinity !== false || Number.isFinite(value));
}

/**
 * The one validator of every duration the library takes (options, schedule bounds, a custom
 * schedule's return): returns `value`, or throws a TypeError in one style,
 * `<name> must be a number of ms >= 0 (or Infinity), got <value>`.
 *
 * @example
 * ```ts
 * durationOption('requestTimeout', 30_000); // 30000
 * durationOption('notFoundGrace', 0, { allowZero: true }); // 0
 * durationOption('backoff.maxDelay', Infinity, { allowInfinity: false }); // throws TypeError
 * ```
 */
export function durationOption(name: string, value: unknown, rules: DurationRules = {}): number {
  if (isDuration(value, rules)) return value;
  throw invalidOption(name, `a number of ms ${rules.allowZero ? '>= 0' : '> 0'}${rules.allowInfinity === false ? ', finite' : ' (or Infinity)'}`, value);
}

/** A wait: 0 ms or more, and finite (a wait that never ends would be a hang). One object, shared. */
export const FINITE_FROM_ZERO: DurationRules = { allowZero: true, allowInfinity: false };

/** The rule of a schedule's delays: finite (a poll that never comes is a hang), however long, 0 allowed. */
export const DELAY_RULE: OptionRule = (name, value) => durationOption(name, value, FINITE_FROM_ZERO);
