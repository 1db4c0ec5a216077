import { sleep, watchStalls } from './wait.js';

/** The spec helper that lets wall-clock upper bounds survive a frozen process. */
describe('watchStalls', () => {
  it('counts the time the event loop was blocked', async () => {
    const watch = watchStalls();
    try {
      await sleep(100);
      const idle = watch.stalledMs();
      const blockedUntil = performance.now() + 300;
      while (performance.now() < blockedUntil) {
        // Block the loop on purpose: what a frozen process looks like to the timers.
      }
      await sleep(20);
      expect(watch.stalledMs() - idle).toBeGreaterThanOrEqual(280);
    } finally {
      watch.stop();
    }
  });
});
