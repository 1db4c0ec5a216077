/**
 * Checks one option: throws a TypeError naming it (`name`) when `value` is not acceptable.
 * `durationOption` is one (for a duration > 0, Infinity allowed).
 */
export type OptionRule = (name: string, value: unknown) => unknown;

/**
 * Throws the TypeError of a bad option or argument whose message says it all (which option,
 * what is wrong with it). One helper instead of a `throw new TypeError(...)` at every check.
 */
export function invalidInput(message: string): never {
  throw new TypeError(message);
}

/**
 * The one message style of a bad option, `<name> must be <expected>, got <value>`: numbers as
 * such, anything else by its type (never its text, which may be a token).
 */
export function invalidOption(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${name} must be ${expected}, got ${typeof value === 'number' ? value : typeof value}`);
}

/** A rule from a test and the words for what it accepts. */
export function optionRule(test: (value: unknown) => boolean, expected: string): OptionRule {
  return (name, value) => {
    if (!test(value)) throw invalidOption(name, expected, value);
  };
}

/** An object with a method `method` (an Observable's `subscribe`, a scheduler's `schedule`). */
export function methodRule(method: string, expected: string): OptionRule {
  return optionRule((value) => typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[method] === 'function', expected);
}

/** `random` of a schedule: a source of numbers in [0, 1). */
export const FUNCTION_RULE = /* @__PURE__ */ optionRule((value) => typeof value === 'function', 'a function');

/** A share of something: a number in (0, 1]. */
export const SHARE_RULE = /* @__PURE__ */ optionRule((value) => typeof value === 'number' && value > 0 && value <= 1, 'a number in (0, 1]');

/**
 * Every option of `rules`, validated under its name (`prefix` + key), a given value or else its
 * default (an option without either stays undefined, unchecked). Each option is read once.
 * Shared by the options objects of the schedules and the polling options, so they read alike.
 */
export function resolveOptions<T>(
  prefix: string,
  options: { readonly [K in keyof T]?: unknown },
  defaults: { readonly [K in keyof T]?: T[K] },
  rules: { readonly [K in keyof T]-?: OptionRule },
): T {
  const resolved: { [K in keyof T]?: unknown } = {};
  for (const key in rules) {
    const given = options[key];
    const value = given === undefined ? defaults[key] : given;
    if (value !== undefined) rules[key](prefix + key, value);
    resolved[key] = value;
  }
  return resolved as T;
}

/** The rule of a schedule's bounds: its longest wait is not below its shortest. */
export function checkDelayRange(prefix: string, floorName: string, floor: number, maxDelay: number): void {
  if (maxDelay < floor) throw new TypeError(`${prefix}maxDelay (${maxDelay}) must not be below ${prefix}${floorName} (${floor})`);
}
