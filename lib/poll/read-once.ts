/**
 * Options as read once: every key present (undefined when not given), so a getter is called
 * once and the value validated is the value used. Listing every key (checked by the compiler
 * through this type) keeps a new option from being read twice.
 */
export type OptionsSnapshot<T> = { readonly [K in keyof Required<T>]: T[K] | undefined };

/**
 * Reads every key of `keys` (any object listing all the option names, such as a table of their
 * rules) from `options`, once each.
 */
export function readOnce<T>(options: T, keys: { readonly [K in keyof Required<T>]: unknown }): OptionsSnapshot<T> {
  const snapshot: { [K in keyof T]?: T[K] } = {};
  for (const key in keys) snapshot[key] = options[key];
  return snapshot as OptionsSnapshot<T>;
}
