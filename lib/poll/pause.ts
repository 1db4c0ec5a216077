import type { Observable, Unsubscribable } from 'rxjs';

/** What a poller does when the `paused` signal changes, or fails. */
export interface PauseListener {
  /** The latest value changed: true stops new requests, false resumes them. */
  pauseChanged(paused: boolean): void;
  /** `paused` failed, or sent something other than a boolean: the stream fails with it. */
  pauseFailed(error: unknown): void;
}

/**
 * Follows a `paused` signal: tells `listener` each time its latest value changes (repeats are
 * ignored; the start counts as "not paused"). Its completion leaves the last value in force; an
 * error, or a value that is not a boolean, goes to `pauseFailed`. Returns the subscription.
 */
export function followPaused(paused: Observable<boolean>, listener: PauseListener): Unsubscribable {
  let current = false;
  return paused.subscribe({
    next: (value: unknown) => {
      if (typeof value !== 'boolean') {
        listener.pauseFailed(new TypeError(`paused must emit booleans, got ${typeof value}`));
        return;
      }
      if (value === current) return;
      current = value;
      listener.pauseChanged(value);
    },
    error: (error: unknown) => {
      listener.pauseFailed(error);
    },
  });
}
