/** What a duration may be besides a positive number of ms. */
export interface DurationRules {
  /** Accept 0 (default false: the duration must be > 0). */
  readonly allowZero?: boolean;
  /** Accept `Infinity`, meaning "never" (default true). */
  readonly allowInfinity?: boolean;
}

/** A value for an error message: numbers as such, anything else by its type (never its text). */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value;
}

/**
 * Whether `value` is a duration in ms under `rules`: a number, not NaN, > 0 (or >= 0), finite
 * unless Infinity is allowed. Any size is fine: waits longer than a platform timer can hold are
 * chained by `scheduleAfter`.
 */
export function isDuration(value: unknown, { allowZero = false, allowInfinity = true }: DurationRules = {}): value is number {
  return typeof value === 'number' && !Number.isNaN(value) && (allowZero ? value >= 0 : value > 0) && (allowInfinity || Number.isFinite(value));
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
  const { allowZero = false, allowInfinity = true } = rules;
  throw new TypeError(`${name} must be a number of ms ${allowZero ? '>= 0' : '> 0'}${allowInfinity ? ' (or Infinity)' : ', finite'}, got ${shown(value)}`);
}
