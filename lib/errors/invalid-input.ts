/**
 * Throws the TypeError of a bad option or argument; the message names what was wrong and, where
 * it helps, the bad value. One helper instead of a `throw new TypeError(...)` at every check.
 */
export function invalidInput(message: string): never {
  throw new TypeError(message);
}
