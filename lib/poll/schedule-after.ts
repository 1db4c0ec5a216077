import { type SchedulerAction, type SchedulerLike, Subscription } from 'rxjs';

/**
 * The longest wait platform timers hold (2^31-1 ms, about 24.8 days): past it, Node and browsers
 * fire at once (Node also warns with a TimeoutOverflowWarning), and so do fake timers.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** A wait longer than one timer: a chain of timers of at most MAX_TIMER_MS each. */
class ChainedWait<T> extends Subscription {
  private step: Subscription | undefined;

  constructor(
    private readonly scheduler: SchedulerLike,
    /** ms still to wait after the current step. */
    private remaining: number,
    private readonly work: (state: T) => void,
    private readonly state: T,
  ) {
    super();
    this.next();
  }

  /** Arms the next step, or runs the work once no time is left. */
  next(): void {
    if (this.closed) return;
    if (this.remaining <= 0) {
      this.unsubscribe();
      this.work(this.state);
      return;
    }
    // Counted down, not read from the clock: a virtual clock and a real one chain alike, and a
    // timer that fires a millisecond early does not add a step.
    const ms = Math.min(this.remaining, MAX_TIMER_MS);
    this.remaining -= ms;
    this.step = this.scheduler.schedule(chainStep, ms, this as ChainedWait<unknown>);
  }

  override unsubscribe(): void {
    this.step?.unsubscribe();
    this.step = undefined;
    super.unsubscribe();
  }
}

function chainStep(this: SchedulerAction<ChainedWait<unknown>>, wait?: ChainedWait<unknown>): void {
  wait?.next();
}

/**
 * The one way the library waits: runs `work(state)` once after `ms` on `scheduler`, for any
 * `ms` from 0 to Infinity. Up to MAX_TIMER_MS it is one `scheduler.schedule` (nothing else is
 * allocated); longer waits chain timers of at most MAX_TIMER_MS; `Infinity` arms no timer at all
 * and never runs. Unsubscribing cancels the wait.
 *
 * @example
 * ```ts
 * const thirtyDays = 30 * 24 * 3_600_000;
 * const wait = scheduleAfter(asyncScheduler, thirtyDays, (job) => job.expire(), job);
 * wait.unsubscribe(); // cancelled
 * ```
 */
export function scheduleAfter<T>(scheduler: SchedulerLike, ms: number, work: (state: T) => void, state: T): Subscription {
  if (ms === Infinity) return new Subscription();
  if (ms <= MAX_TIMER_MS) return scheduler.schedule(work as (this: SchedulerAction<T>, state?: T) => void, Math.max(0, ms), state);
  return new ChainedWait(scheduler, ms, work, state);
}
