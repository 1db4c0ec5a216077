/**
 * Options as read once: every key present (undefined when not given), so a getter is called
 * once and the value validated is the value used. Listing every key (checked by the compiler
 * through this type) keeps a new option from being read twice.
 */
export type OptionsSnapshot<T> = { readonly [K in keyof Required<T>]: T[K] | undefined };
