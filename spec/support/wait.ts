/** Real-time waits for specs that talk to real servers. */

/** Resolves after `ms` milliseconds (a real timer). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `probe` returns true, checking it at once and then every `everyMs`; rejects with
 * an Error naming `what` if it still does not hold after `timeoutMs`, so a stuck wait fails with
 * a message instead of running into jest's test timeout. An error thrown by `probe` rejects too.
 * Leaves no timer behind once settled.
 */
export async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 5000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** What {@link watchStalls} returns. */
export interface StallWatch {
  /** Milliseconds the event loop could not run since the watch began, added up. */
  stalledMs(): number;
  /** Stops the ticker. */
  stop(): void;
}

/**
 * Adds up the time this process could not run: a ticker every `tickMs` counts how late each tick
 * came. A spec that bounds a wall-clock interval from above subtracts it, because a loaded CI
 * host can freeze a whole process for seconds (one froze a Node 26 run ~8 s past a 4 s guard),
 * and that says nothing about the library. A library that waits too long on a timer still fails:
 * the ticker runs on time while it waits. Time the loop spends busy counts as stalled too, so do
 * not use this to bound CPU work.
 */
export function watchStalls(tickMs = 10): StallWatch {
  let stalled = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    stalled += Math.max(0, now - last - tickMs);
    last = now;
  }, tickMs);
  ticker.unref();
  return {
    // The gap since the last tick counts too: a freeze may not have ended in a tick yet.
    stalledMs: () => stalled + Math.max(0, performance.now() - last - tickMs),
    stop: () => {
      clearInterval(ticker);
    },
  };
}
