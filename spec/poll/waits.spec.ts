import { Observable, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { poll, type PollConfig, type PollVerdict, type PollWait } from '../../lib/poll/poll.js';

/**
 * Marble specs of the poller's `waiting` hook (virtual time, 1 ms a frame): each wait is told as
 * it starts, in order with the values, and nothing after the stream ends.
 */
describe('poll: the waits it tells (virtual time)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  /** The poller's values and its waits in one stream; the n-th request answers the n-th marble. */
  function polled(answers: Observable<number>[], overrides: Partial<PollConfig<number>> = {}): { source: Observable<number | PollWait>; requested: () => number } {
    let n = 0;
    const source = new Observable<number | PollWait>((subscriber) =>
      poll<number>({
        request: () => answers[Math.min(n++, answers.length - 1)]!,
        equals: (a, b) => a === b,
        isDone: (v) => v >= 100,
        classify: (): PollVerdict => ({ kind: 'retry' }),
        backoff: () => 10,
        maxRetries: 2,
        scheduler,
        waiting: (wait) => {
          subscriber.next(wait);
        },
        ...overrides,
      }).subscribe(subscriber),
    );
    return { source, requested: () => n };
  }
  const boom = new Error('boom');
  const retry = (attempt: number, delayMs = 10, maxRetries = 2): PollWait => ({ kind: 'retry', error: boom, attempt, maxRetries, delayMs });

  it('tells a retry before each wait after a failure, counting attempts from 1, then the values resume', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { source } = polled([cold('-#', {}, boom), cold('-#', {}, boom), cold('-(a|)', { a: 100 })]);
      // failures at 1 and 12, each followed by a 10 ms wait; the answer at 23.
      expectObservable(source).toBe('-r----------s----------(a|)', { r: retry(1), s: retry(2), a: 100 });
    });
  });

  it('tells `recovered` when the first answer after a failure wait shows nothing new, once', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const same = (): Observable<number> => cold('-(a|)', { a: 1 });
      const { source } = polled([same(), cold('-#', {}, boom), same(), same(), cold('-(b|)', { b: 100 })]);
      // 1 at 1; the failure at 12 (retry); the same 1 at 23: recovered; the same again at 34: nothing.
      expectObservable(source).toBe('-a----------r----------v---------------------(b|)', { a: 1, r: retry(1), v: { kind: 'recovered', value: 1 }, b: 100 });
    });
  });

  it('tells nothing for the failure that ends the stream (no retry left)', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { source } = polled([cold('-#', {}, boom)], { maxRetries: 1 });
      expectObservable(source).toBe('-r----------#', { r: retry(1, 10, 1) }, boom);
    });
  });

  it('tells the wait a server hint (Retry-After) asks for, when it is longer than the schedule', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { source } = polled([cold('-#', {}, boom), cold('-(a|)', { a: 100 })], { classify: () => ({ kind: 'retry', minDelayMs: 50 }) });
      expectObservable(source).toBe(`-r ${50 - 1}ms -(a|)`, { r: retry(1, 50), a: 100 });
    });
  });

  it('tells a pending poll (no news yet) with attempt 0, and counts no failure', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { source } = polled([cold('-#', {}, boom), cold('-#', {}, boom), cold('-#', {}, boom), cold('-(a|)', { a: 100 })], {
        classify: (): PollVerdict => ({ kind: 'pending' }),
        maxRetries: 0,
      });
      const w: PollWait = { kind: 'pending', error: boom, attempt: 0, maxRetries: 0, delayMs: 10 };
      expectObservable(source).toBe('-w----------w----------w----------(a|)', { w, a: 100 });
    });
  });

  it('tells paused and resumed as `paused` changes, before acting on it', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const paused = hot<boolean>('---t---------f', { t: true, f: false });
      const { source, requested } = polled([cold('-(a|)', { a: 1 }), cold('-(a|)', { a: 100 })], { paused });
      // answer at 1; paused at 3 (the wait until 11 is dropped); resumed at 13 polls at once.
      expectObservable(source).toBe('-a-p---------r(b|)', { a: 1, p: { kind: 'paused' }, r: { kind: 'resumed' }, b: 100 });
      scheduler.flush();
      expect(requested()).toBe(2);
    });
  });

  it('fails the stream with what the hook throws, and sends nothing more', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const thrown = new Error('hook failed');
      const { source, requested } = polled([cold('-#', {}, boom)], {
        waiting: () => {
          throw thrown;
        },
      });
      expectObservable(source).toBe('-#', {}, thrown);
      scheduler.flush();
      expect(requested()).toBe(1);
    });
  });

  it('arms no wait when the consumer leaves from inside the hook (take), and tells nothing more', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { source, requested } = polled([cold('-#', {}, boom), cold('-(a|)', { a: 100 })]);
      expectObservable(source.pipe(take(1))).toBe('-(r|)', { r: retry(1) });
      // Timers still armed at frame 5 (the check itself is not among them while it runs).
      let armed = -1;
      scheduler.schedule(() => (armed = scheduler.actions.length), 5);
      scheduler.flush();
      expect(armed).toBe(0);
      expect(requested()).toBe(1);
    });
  });

  it('tells nothing after an unsubscription during a wait', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { source, requested } = polled([cold('-#', {}, boom), cold('-#', {}, boom), cold('-(a|)', { a: 100 })]);
      expectObservable(source, '^-----!').toBe('-r----', { r: retry(1) });
      scheduler.flush();
      expect(requested()).toBe(1);
      expect(scheduler.actions).toHaveLength(0);
    });
  });
});
