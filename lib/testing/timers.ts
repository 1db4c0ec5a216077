/**
 * Every timer the emulator arms goes through one TimerBag, so `close()` can clear them all at once
 * and leave nothing that keeps the process alive.
 */

/**
 * Rejection reason of {@link TimerBag.sleep} when the bag is cleared (the server is closing).
 *
 * @example
 * try { await bag.sleep(10); } catch (e) { if (e instanceof TimersClearedError) return; throw e; }
 */
export class TimersClearedError extends Error {
  constructor() {
    super('The fake pCloud server was closed');
    this.name = 'TimersClearedError';
  }
}

/** setTimeout rejects larger delays (it fires after 1 ms instead), so longer waits are clamped. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * A set of timeouts and immediates that can be cleared together.
 *
 * @example
 * const bag = new TimerBag();
 * bag.setTimeout(() => { console.log('later'); }, 50);
 * await bag.sleep(10);
 * bag.clearAll(); // 'later' never prints; pending sleeps reject with TimersClearedError
 */
export class TimerBag {
  readonly #timeouts = new Set<NodeJS.Timeout>();
  readonly #immediates = new Set<NodeJS.Immediate>();
  readonly #sleepers = new Set<(reason: Error) => void>();
  /** True once {@link clearAll} ran: new timers are refused. */
  #cleared = false;

  /** Runs `fn` after `ms` (ignored after {@link clearAll}). */
  setTimeout(fn: () => void, ms: number): void {
    if (this.#cleared) return;
    const handle = setTimeout(() => {
      this.#timeouts.delete(handle);
      fn();
    }, Math.min(Math.max(ms, 0), MAX_TIMEOUT_MS));
    this.#timeouts.add(handle);
  }

  /** Runs `fn` on the next turn of the event loop (ignored after {@link clearAll}). */
  setImmediate(fn: () => void): void {
    if (this.#cleared) return;
    const handle = setImmediate(() => {
      this.#immediates.delete(handle);
      fn();
    });
    this.#immediates.add(handle);
  }

  /**
   * Resolves after `ms`; an infinite or zero `ms` still yields one event-loop turn (setImmediate),
   * so other requests get served in between. Rejects with {@link TimersClearedError} on clear.
   */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#cleared) {
        reject(new TimersClearedError());
        return;
      }
      this.#sleepers.add(reject);
      const wake = (): void => {
        this.#sleepers.delete(reject);
        resolve();
      };
      if (ms > 0 && Number.isFinite(ms)) this.setTimeout(wake, ms);
      else this.setImmediate(wake);
    });
  }

  /** Cancels every pending timer and rejects every pending sleep; later timers are refused. */
  clearAll(): void {
    this.#cleared = true;
    for (const handle of this.#timeouts) clearTimeout(handle);
    for (const handle of this.#immediates) clearImmediate(handle);
    this.#timeouts.clear();
    this.#immediates.clear();
    const sleepers = [...this.#sleepers];
    this.#sleepers.clear();
    for (const reject of sleepers) reject(new TimersClearedError());
  }
}
