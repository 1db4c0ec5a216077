import { type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { poll, type PollConfig, type PollContext, type PollVerdict } from '../../lib/poll/poll.js';

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
      nextDelay: (context) => {
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
      expect(contexts.every((c) => c.failures === 0)).toBe(true);
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
      const { source } = poller([cold('(a|)', { a: 1 })], { nextDelay: () => Number.NaN });
      let error: unknown;
      source.subscribe({ error: (e: unknown) => (error = e) });
      scheduler.flush();
      expect(error).toBeInstanceOf(TypeError);
      expect(String(error)).toMatch(/backoff returned NaN/);
    });
  });
});
