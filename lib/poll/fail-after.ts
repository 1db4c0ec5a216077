import { Observable, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';

/**
 * Fails the stream with `error()` once `ms` have passed since subscription (an overall
 * deadline), unless it ended before. `Infinity` disables it.
 */
export function failAfter<T>(ms: number, error: () => unknown, scheduler: SchedulerLike): MonoTypeOperatorFunction<T> {
  return (source) =>
    !Number.isFinite(ms)
      ? source
      : new Observable<T>((subscriber) => {
          const deadline = scheduler.schedule(() => {
            subscriber.error(error());
          }, ms);
          const subscription = source.subscribe(subscriber);
          return () => {
            deadline.unsubscribe();
            subscription.unsubscribe();
          };
        });
}
