import { Observable, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { scheduleAfter } from './schedule-after.js';

/**
 * Fails the stream with `error()` once `ms` have passed since subscription (an overall
 * deadline), unless it ended before. Any length works (timers are chained past the platform
 * limit); `Infinity` disables it.
 */
export function failAfter<T>(ms: number, error: () => unknown, scheduler: SchedulerLike): MonoTypeOperatorFunction<T> {
  return (source) =>
    !Number.isFinite(ms)
      ? source
      : new Observable<T>((subscriber) => {
          const deadline = scheduleAfter(scheduler, ms, () => {
            subscriber.error(error());
          }, undefined);
          const subscription = source.subscribe(subscriber);
          return () => {
            deadline.unsubscribe();
            subscription.unsubscribe();
          };
        });
}
