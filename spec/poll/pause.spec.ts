import { BehaviorSubject, type Observable, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { poll, type PollConfig, type PollVerdict } from '../../lib/poll/poll.js';

/**
 * The `paused` signal of the generic poller, in virtual time (1 frame = 1 ms): a Subject driven
 * at chosen times pauses and resumes; every request time is recorded.
 */
describe('poll paused (virtual time)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  interface Run {
    times: number[];
    values: number[];
    pauses: boolean[];
    error?: unknown;
    completed: boolean;
  }

  /**
   * Polls with `answer(n)` as the n-th request's answer (n from 1; values are n, so each answer
   * is a change), waiting 10 ms between polls, done at value `doneAt`; `script` drives `paused`.
   */
  function run(
    paused: Subject<boolean>,
    script: [at: number, act: () => void][],
    answer: (n: number, cold: (marbles: string, values?: Record<string, number>) => Observable<number>) => Observable<number>,
    overrides: Partial<PollConfig<number>> = {},
    doneAt = 5,
  ): Run {
    const result: Run = { times: [], values: [], pauses: [], completed: false };
    scheduler.run(({ cold }) => {
      let n = 0;
      for (const [at, act] of script) scheduler.schedule(act, at);
      poll<number>({
        request: () => {
          result.times.push(scheduler.now());
          n += 1;
          return answer(n, cold);
        },
        equals: (a, b) => a === b,
        isDone: (v) => v >= doneAt,
        classify: (): PollVerdict => ({ kind: 'retry' }),
        backoff: () => 10,
        maxRetries: 3,
        scheduler,
        paused,
        pauseChanged: (p) => result.pauses.push(p),
        ...overrides,
      }).subscribe({
        next: (v) => result.values.push(v),
        error: (e: unknown) => (result.error = e),
        complete: () => (result.completed = true),
      });
    });
    return result;
  }
  const quick = (n: number, cold: (m: string, v?: Record<string, number>) => Observable<number>): Observable<number> => cold('-(a|)', { a: n });

  it('sends nothing while paused, drops the pending wait, and polls at once when unpaused', () => {
    const paused = new BehaviorSubject(false);
    // requests at 0 and 11; paused at 15 (waiting until 22), resumed at 40.
    const r = run(paused, [[15, () => { paused.next(true); }], [40, () => { paused.next(false); }]], quick);
    expect(r.times).toEqual([0, 11, 40, 51, 62]);
    expect(r.completed).toBe(true);
    expect(r.pauses).toEqual([true, false]);
  });

  it('holds even the first request when paused is true at subscription', () => {
    const paused = new BehaviorSubject(true);
    const r = run(paused, [[30, () => { paused.next(false); }]], quick);
    expect(r.times).toEqual([30, 41, 52, 63, 74]);
  });

  it('ignores repeated values: true, true keeps one pause, false, false one resume', () => {
    const paused = new BehaviorSubject(false);
    const r = run(paused, [[5, () => { paused.next(true); }], [6, () => { paused.next(true); }], [20, () => { paused.next(false); }], [21, () => { paused.next(false); }]], quick);
    expect(r.times).toEqual([0, 20, 31, 42, 53]);
    expect(r.pauses).toEqual([true, false]);
  });

  it('lets a request in flight finish and handles its answer, then waits for the resume', () => {
    const paused = new BehaviorSubject(false);
    const slow = (n: number, cold: (m: string, v?: Record<string, number>) => Observable<number>): Observable<number> => cold('-----(a|)', { a: n });
    // request at 0 in flight until 5; paused at 2: the answer at 5 is emitted, no poll follows.
    const r = run(paused, [[2, () => { paused.next(true); }], [50, () => { paused.next(false); }]], slow, {}, 2);
    expect(r.times).toEqual([0, 50]);
    expect(r.values).toEqual([1, 2]);
  });

  it('a resume while a request is in flight sends no second request: the answer arms the normal wait', () => {
    const paused = new BehaviorSubject(false);
    const slow = (n: number, cold: (m: string, v?: Record<string, number>) => Observable<number>): Observable<number> => cold('-----(a|)', { a: n });
    const r = run(paused, [[2, () => { paused.next(true); }], [3, () => { paused.next(false); }]], slow, {}, 2);
    expect(r.times).toEqual([0, 15]);
  });

  it('a retry wait pending at the pause is dropped; the resume retries at once and the failure count is kept', () => {
    const paused = new BehaviorSubject(false);
    const failing = (_n: number, cold: (m: string) => Observable<number>): Observable<number> => cold('-#');
    // fails at 1 (retry due at 11), paused at 5, resumed at 8: retried at 8, 19, 30; the 4th
    // failure in a row exceeds maxRetries 3 (the pause did not reset the count).
    const r = run(paused, [[5, () => { paused.next(true); }], [8, () => { paused.next(false); }]], failing);
    expect(r.times).toEqual([0, 8, 19, 30]);
    expect(r.error).toBe('error');
  });

  it("never resumes before a server's hint (Retry-After) has elapsed", () => {
    const paused = new BehaviorSubject(false);
    const answers = (n: number, cold: (m: string, v?: Record<string, number>) => Observable<number>): Observable<number> => (n === 1 ? cold('-#') : cold('-(a|)', { a: 5 }));
    const r = run(paused, [[5, () => { paused.next(true); }], [20, () => { paused.next(false); }]], answers, { classify: () => ({ kind: 'retry', minDelayMs: 50 }) });
    // failed at 1: not before 51, however early the resume.
    expect(r.times).toEqual([0, 51]);
    expect(r.completed).toBe(true);
  });

  it('a resume after the hint has elapsed polls at once', () => {
    const paused = new BehaviorSubject(false);
    const answers = (n: number, cold: (m: string, v?: Record<string, number>) => Observable<number>): Observable<number> => (n === 1 ? cold('-#') : cold('-(a|)', { a: 5 }));
    const r = run(paused, [[5, () => { paused.next(true); }], [70, () => { paused.next(false); }]], answers, { classify: () => ({ kind: 'retry', minDelayMs: 50 }) });
    expect(r.times).toEqual([0, 70]);
  });

  it('fails with the error of paused, sending nothing more, and unsubscribes from it', () => {
    const paused = new BehaviorSubject(false);
    const failure = new Error('visibility source broke');
    const r = run(paused, [[15, () => { paused.error(failure); }]], quick);
    expect(r.error).toBe(failure);
    expect(r.times).toEqual([0, 11]);
    expect(paused.observed).toBe(false);
  });

  it('fails with a TypeError when paused emits something other than a boolean', () => {
    const paused = new Subject<boolean>();
    const r = run(paused, [[15, () => { (paused as Subject<unknown>).next('yes'); }]], quick);
    expect(r.error).toBeInstanceOf(TypeError);
    expect(String(r.error)).toMatch(/paused must emit booleans, got string/);
  });

  it('completion of paused leaves the last value in force: paused stays paused', () => {
    const stuck = new BehaviorSubject(false);
    const r1 = run(stuck, [[15, () => { stuck.next(true); }], [16, () => { stuck.complete(); }]], quick);
    expect(r1.times).toEqual([0, 11]);
    expect(r1.completed).toBe(false);
    expect(r1.error).toBeUndefined();
  });

  it('completion of paused leaves the last value in force: running stays running', () => {
    const running = new BehaviorSubject(false);
    const r2 = run(running, [[15, () => { running.complete(); }]], quick);
    expect(r2.times).toEqual([0, 11, 22, 33, 44]);
    expect(r2.completed).toBe(true);
  });

  it('unsubscribes from paused when the stream completes', () => {
    const paused = new BehaviorSubject(false);
    const r = run(paused, [], quick);
    expect(r.completed).toBe(true);
    expect(paused.observed).toBe(false);
  });
});
