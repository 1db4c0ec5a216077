import { asyncScheduler, from, type Observable, of, type SchedulerLike, Subscription, take, throwError, VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { poll, type PollConfig, type PollContext, type PollVerdict } from '../../lib/poll/poll.js';
import { sleep } from '../support/wait.js';

/** Marble specs of the generic poller: every wait is virtual, each frame is 1 ms. */
describe('poll (virtual time)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  /** A poller whose n-th request is answered by the n-th marble. */
  function poller(
    answers: Observable<number>[],
    overrides: Partial<PollConfig<number>> = {},
  ): { source: Observable<number>; contexts: PollContext<number>[]; requested: () => number } {
    let n = 0;
    const contexts: PollContext<number>[] = [];
    const source = poll<number>({
      request: () => answers[Math.min(n++, answers.length - 1)]!,
      equals: (a, b) => a === b,
      isDone: (v) => v >= 100,
      classify: (): PollVerdict => ({ kind: 'retry' }),
      backoff: (context) => {
        contexts.push(context);
        return 10;
      },
      maxRetries: 2,
      scheduler,
      ...overrides,
    });
    return { source, contexts, requested: () => n };
  }

  it('requests at once, waits after each answer, emits changes only and completes on done', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { source, requested } = poller([cold('-(a|)', { a: 10 }), cold('-(a|)', { a: 10 }), cold('-(a|)', { a: 50 }), cold('-(a|)', { a: 100 })]);
      // answers at 1, 12, 23, 34: the unchanged answer at 12 is not emitted.
      expectObservable(source).toBe('-a---------------------b----------(c|)', { a: 10, b: 50, c: 100 });
      scheduler.flush();
      expect(requested()).toBe(4);
    });
  });

  it('never overlaps requests: a slow answer delays the next poll', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { source } = poller([cold('-----(a|)', { a: 1 }), cold('-(a|)', { a: 100 })]);
      expectObservable(source).toBe('-----a----------(b|)', { a: 1, b: 100 });
    });
  });

  it('counts unchanged polls and resets the count on a change', () => {
    scheduler.run(({ cold }) => {
      const { source, contexts } = poller([
        cold('(a|)', { a: 1 }),
        cold('(a|)', { a: 1 }),
        cold('(a|)', { a: 1 }),
        cold('(a|)', { a: 2 }),
        cold('(a|)', { a: 100 }),
      ]);
      source.subscribe();
      scheduler.flush();
      expect(contexts.map((c) => c.unchangedPolls)).toEqual([0, 1, 2, 0]);
      expect(contexts.map((c) => c.polls)).toEqual([1, 2, 3, 4]);
      expect(contexts.map((c) => c.elapsedMs)).toEqual([0, 10, 20, 30]);
    });
  });

  it('retries retryable failures, resets the failure count on success, fails after maxRetries in a row', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const boom = new Error('boom');
      const { source, contexts } = poller([
        cold('-#', {}, boom),
        cold('-#', {}, boom),
        cold('-(a|)', { a: 1 }),
        cold('-#', {}, boom),
        cold('-#', {}, boom),
        cold('-#', {}, boom),
      ]);
      // a at 23; then three failures at 34, 45 and 56: the third is one too many.
      expectObservable(source).toBe(`${'-'.repeat(23)}a${'-'.repeat(32)}#`, { a: 1 }, boom);
      scheduler.flush();
      expect(contexts.map((c) => c.failures)).toEqual([1, 2, 0, 1, 2]);
    });
  });

  it('fails at once on a fatal error, sending nothing more', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const fatal = new Error('fatal');
      const { source, requested } = poller([cold('-(a|)', { a: 1 }), cold('-#', {}, fatal)], { classify: () => ({ kind: 'fatal' }) });
      expectObservable(source).toBe('-a----------#', { a: 1 }, fatal);
      scheduler.flush();
      expect(requested()).toBe(2);
    });
  });

  it('waits at least minDelayMs (a server hint) on a retry', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { source } = poller([cold('#'), cold('(a|)', { a: 100 })], { classify: () => ({ kind: 'retry', minDelayMs: 50 }) });
      expectObservable(source).toBe('--------------------------------------------------(a|)', { a: 100 });
    });
  });

  it('polls "pending" errors on the normal schedule without counting failures', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const { source, contexts } = poller([cold('#'), cold('#'), cold('#'), cold('#'), cold('(a|)', { a: 100 })], {
        classify: () => ({ kind: 'pending' }),
      });
      expectObservable(source).toBe('----------------------------------------(a|)', { a: 100 });
      scheduler.flush();
      expect(contexts.map((c) => c.failures)).toEqual([0, 0, 0, 0]);
    });
  });

  it('cancels the request in flight and the pending wait on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold('-(a|)', { a: 1 });
      const second = cold('-----(a|)', { a: 2 });
      const { source, requested } = poller([first, second]);
      expectObservable(source, '^-------------!').toBe('-a', { a: 1 });
      scheduler.flush();
      expectSubscriptions(second.subscriptions).toBe('-----------^--!');
      expect(requested()).toBe(2);
    });
  });

  it('fails with a TypeError when a custom schedule returns a bad delay', () => {
    scheduler.run(({ cold }) => {
      const { source } = poller([cold('(a|)', { a: 1 })], { backoff: () => Number.NaN });
      let error: unknown;
      source.subscribe({ error: (e: unknown) => (error = e) });
      scheduler.flush();
      expect(error).toBeInstanceOf(TypeError);
      expect(String(error)).toMatch(/the wait a backoff returns must be a number of ms >= 0, finite, got NaN/);
    });
  });

  it.each([[-1], [Infinity]])('fails with a TypeError when a custom schedule returns %p (a wait must end)', (bad) => {
    scheduler.run(({ cold }) => {
      const { source } = poller([cold('(a|)', { a: 1 })], { backoff: () => bad });
      let error: unknown;
      source.subscribe({ error: (e: unknown) => (error = e) });
      scheduler.flush();
      expect(error).toBeInstanceOf(TypeError);
      expect(String(error)).toContain(`got ${bad}`);
    });
  });

  it('waits a schedule of 30 days in full (past the 2^31-1 ms timer limit), and a server hint as long', () => {
    const thirtyDays = 30 * 86_400_000;
    scheduler.run(({ cold }) => {
      let n = 0;
      const times: number[] = [];
      const source = poll<number>({
        request: () => {
          times.push(scheduler.now());
          n += 1;
          return n === 1 ? cold('#', {}, new Error('busy')) : cold('(a|)', { a: n === 2 ? 1 : 100 });
        },
        equals: (a, b) => a === b,
        isDone: (v) => v >= 100,
        classify: (): PollVerdict => ({ kind: 'retry', minDelayMs: 2 * thirtyDays }),
        backoff: () => thirtyDays,
        maxRetries: 2,
        scheduler,
      });
      source.subscribe();
      scheduler.flush();
      expect(times).toEqual([0, 2 * thirtyDays, 3 * thirtyDays]);
    });
  });

  describe('requestTimeout', () => {
    const timedOut = new Error('too slow');

    it('fails a request that outlives it, cancels it, and lets classify judge the error', () => {
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const hanging = cold<number>('-');
        const errors: unknown[] = [];
        const { source } = poller([hanging], {
          requestTimeout: 5,
          requestTimedOut: () => timedOut,
          classify: (error) => {
            errors.push(error);
            return { kind: 'fatal' };
          },
        });
        expectObservable(source).toBe('-----#', undefined, timedOut);
        expectSubscriptions(hanging.subscriptions).toBe('^----!');
        scheduler.flush();
        expect(errors).toEqual([timedOut]);
      });
    });

    it('counts from each request: one sent straight from an earlier answer gets its full time', () => {
      scheduler.run(({ cold, expectObservable }) => {
        // Request 1 (sent at 0) answers at 2; request 2 goes out at once and answers at 6,
        // within its own 5 ms (due 7), though 5 ms after request 1 have passed at 5.
        const { source } = poller([cold('--(a|)', { a: 1 }), cold('----(a|)', { a: 100 })], {
          backoff: () => 0,
          requestTimeout: 5,
          requestTimedOut: () => timedOut,
        });
        expectObservable(source).toBe('--a---(b|)', { a: 1, b: 100 });
      });
    });

    it('times out the request then in flight exactly at its own due time, and retries it', () => {
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        // Request 2 (sent at 2, straight from answer 1) hangs: it times out at 2 + 5 = 7, and the
        // retry (sent at once) answers done at 8.
        const hanging = cold<number>('-');
        const { source, requested } = poller([cold('--(a|)', { a: 1 }), hanging, cold('-(a|)', { a: 100 })], {
          backoff: () => 0,
          requestTimeout: 5,
          requestTimedOut: () => timedOut,
        });
        expectObservable(source).toBe('--a-----(b|)', { a: 1, b: 100 });
        expectSubscriptions(hanging.subscriptions).toBe('--^----!');
        scheduler.flush();
        expect(requested()).toBe(3);
      });
    });

    it('holds no timer for it while waiting between polls', () => {
      const virtual = new VirtualTimeScheduler();
      let n = 0;
      const subscription = poll<number>({
        request: () => of(++n),
        equals: (a, b) => a === b,
        isDone: () => false,
        classify: () => ({ kind: 'fatal' }),
        backoff: () => 1000,
        maxRetries: 0,
        scheduler: virtual,
        requestTimeout: 30_000,
        requestTimedOut: () => timedOut,
      }).subscribe();
      // The first answer came synchronously: only the 1 s wait is scheduled.
      expect(n).toBe(1);
      expect(virtual.actions.map((action) => action.delay)).toEqual([1000]);
      subscription.unsubscribe();
    });

    it('does not count the wait between polls', () => {
      scheduler.run(({ cold, expectObservable }) => {
        // Request 1 answers at 2; the 10 ms wait outlasts its 5 ms window; request 2 (at 12) answers at 13.
        const { source } = poller([cold('--(a|)', { a: 1 }), cold('-(a|)', { a: 100 })], { requestTimeout: 5, requestTimedOut: () => timedOut });
        expectObservable(source).toBe('--a----------(b|)', { a: 1, b: 100 });
      });
    });

    it('leaves no timer behind once the stream ends', () => {
      const virtual = new VirtualTimeScheduler();
      const values: number[] = [];
      poll<number>({
        request: () => of(100),
        equals: (a, b) => a === b,
        isDone: (v) => v >= 100,
        classify: () => ({ kind: 'fatal' }),
        backoff: () => 0,
        maxRetries: 0,
        scheduler: virtual,
        requestTimeout: 30_000,
        requestTimedOut: () => timedOut,
      }).subscribe((v) => values.push(v));
      expect(values).toEqual([100]);
      expect(virtual.actions).toHaveLength(0);
    });
  });
});

/** A 0 ms wait: the next request goes out from the answer's handler, with no timer. */
describe('poll with a 0 ms wait', () => {
  /** A scheduler that records the waits asked of it (and never runs them). */
  function recordingScheduler(): { scheduler: SchedulerLike; waits: number[] } {
    const waits: number[] = [];
    const scheduler: SchedulerLike = {
      now: () => 0,
      schedule: (_work: unknown, delay?: number) => {
        waits.push(delay ?? 0);
        return new Subscription();
      },
    };
    return { scheduler, waits };
  }

  it('sends the next request at once, a 0 ms scheduler wait every 65th, and 100,000 synchronous answers do not grow the stack', () => {
    const scheduler = new VirtualTimeScheduler();
    const schedule = jest.spyOn(scheduler, 'schedule');
    let n = 0;
    const values: number[] = [];
    let completed = false;
    poll<number>({
      request: () => of(++n),
      equals: (a, b) => a === b,
      isDone: (v) => v >= 100_000,
      classify: () => ({ kind: 'retry' }),
      backoff: () => 0,
      maxRetries: 0,
      scheduler,
    }).subscribe({ next: (v) => values.push(v), complete: () => (completed = true) });
    scheduler.flush();
    expect(completed).toBe(true);
    expect(n).toBe(100_000);
    expect(values).toHaveLength(100_000);
    // 64 requests straight from the handler, then one through the scheduler.
    expect(schedule).toHaveBeenCalledTimes(Math.floor((100_000 - 1) / 65));
    expect(schedule.mock.calls.every(([, delay]) => delay === 0)).toBe(true);
    expect(scheduler.frame).toBe(0);
  });

  it('lets timers run while a request that answers in microtasks is polled with 0 ms waits', async () => {
    let n = 0;
    const polling = poll<number>({
      request: () => from(Promise.resolve(++n)),
      equals: (a, b) => a === b,
      isDone: () => false,
      classify: () => ({ kind: 'retry' }),
      backoff: () => 0,
      maxRetries: 0,
      scheduler: asyncScheduler,
    }).subscribe();
    // Without a turn of the event loop now and then, this timer would never fire.
    await sleep(20);
    polling.unsubscribe();
    expect(n).toBeGreaterThan(64);
  });

  it('still uses the scheduler for a wait that a server hint raises above 0', () => {
    const { scheduler, waits } = recordingScheduler();
    let n = 0;
    poll<number>({
      request: () => (++n === 1 ? throwError(() => new Error('busy')) : of(1)),
      equals: (a, b) => a === b,
      isDone: () => true,
      classify: () => ({ kind: 'retry', minDelayMs: 250 }),
      backoff: () => 0,
      maxRetries: 3,
      scheduler,
    }).subscribe();
    expect(n).toBe(1);
    expect(waits).toEqual([250]);
  });

  it('stops at once when the consumer unsubscribes from inside next (take)', () => {
    const { scheduler } = recordingScheduler();
    let n = 0;
    const values: number[] = [];
    poll<number>({
      request: () => of(++n),
      equals: (a, b) => a === b,
      isDone: () => false,
      classify: () => ({ kind: 'retry' }),
      backoff: () => 0,
      maxRetries: 0,
      scheduler,
    })
      .pipe(take(3))
      .subscribe((v) => values.push(v));
    expect(values).toEqual([1, 2, 3]);
    expect(n).toBe(3);
  });
});
