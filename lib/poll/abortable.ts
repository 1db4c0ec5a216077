import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { AbortError } from '../errors/abort-error.js';

/**
 * Ends the stream with an `AbortError` when `signal` aborts (at once if it already has), which
 * unsubscribes the source and so cancels whatever it has in flight.
 */
export function abortable<T>(signal: AbortSignal | undefined): MonoTypeOperatorFunction<T> {
  return (source) =>
    signal === undefined
      ? source
      : new Observable<T>((subscriber) => {
          const onAbort = (): void => {
            subscriber.error(new AbortError({ cause: signal.reason }));
          };
          if (signal.aborted) {
            onAbort();
            return;
          }
          signal.addEventListener('abort', onAbort, { once: true });
          subscriber.add(() => {
            signal.removeEventListener('abort', onAbort);
          });
          return source.subscribe(subscriber);
        });
}
