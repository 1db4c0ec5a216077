import { asyncScheduler, VirtualTimeScheduler } from 'rxjs';
import { MAX_TIMER_MS, scheduleAfter } from '../../lib/poll/schedule-after.js';
import { sleep } from '../support/wait.js';

const DAY = 86_400_000;

/** The one wait every duration goes through: any length, on any scheduler. */
describe('scheduleAfter', () => {
  it.each([0, 1000, MAX_TIMER_MS, MAX_TIMER_MS + 1, 30 * DAY, 400 * DAY])('runs once after exactly %p ms in virtual time', (ms) => {
    const scheduler = new VirtualTimeScheduler();
    const ran: number[] = [];
    scheduleAfter(scheduler, ms, (tag: string) => ran.push(tag === 'x' ? scheduler.now() : -1), 'x');
    scheduler.flush();
    expect(ran).toEqual([ms]);
  });

  it('arms no timer for Infinity and never runs', () => {
    const scheduler = new VirtualTimeScheduler();
    const ran: number[] = [];
    const wait = scheduleAfter(scheduler, Infinity, () => ran.push(1), undefined);
    expect(scheduler.actions).toHaveLength(0);
    expect(wait.closed).toBe(false);
    wait.unsubscribe();
    expect(ran).toEqual([]);
  });

  it('cancels a chained wait between two of its timers', () => {
    const scheduler = new VirtualTimeScheduler(undefined, MAX_TIMER_MS + DAY);
    const ran: number[] = [];
    const wait = scheduleAfter(scheduler, 30 * DAY, () => ran.push(1), undefined);
    scheduler.flush(); // runs up to maxFrames: past the first timer, before the end
    expect(scheduler.now()).toBe(MAX_TIMER_MS);
    wait.unsubscribe();
    scheduler.maxFrames = Infinity;
    scheduler.flush();
    expect(ran).toEqual([]);
    expect(scheduler.actions).toHaveLength(0);
  });

  describe('with fake platform timers (which fire at once past 2^31-1 ms, like Node)', () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: 0 });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('waits 30 days, not 1 ms, and leaves no timer behind', async () => {
      const ran: number[] = [];
      scheduleAfter(asyncScheduler, 30 * DAY, () => ran.push(Date.now()), undefined);
      await jest.advanceTimersByTimeAsync(30 * DAY - 1);
      expect(ran).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(ran).toEqual([30 * DAY]);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  it('emits no TimeoutOverflowWarning on real platform timers', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', onWarning);
    try {
      const ran: number[] = [];
      const wait = scheduleAfter(asyncScheduler, 30 * DAY, () => ran.push(1), undefined);
      await sleep(30);
      expect(ran).toEqual([]);
      wait.unsubscribe();
      // The warning is emitted on the next tick after setTimeout: give it time to arrive.
      await sleep(10);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
