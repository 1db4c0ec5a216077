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
