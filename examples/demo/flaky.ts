/**
 * `--flaky`: the emulator fails now and then on purpose, so the demo shows retries and recovery.
 */
import type { SaveZipEvent } from '../../lib/index.js';
import type { Fault, FakePCloud } from '../../lib/testing/index.js';

/**
 * The failures, in order: each one transient, so the library retries it. A 503 whose Retry-After
 * the library honours, a connection dropped without an answer, pCloud's own "internal error".
 */
export const FLAKY_FAULTS: readonly Fault[] = [
  { type: 'http', status: 503, headers: { 'Retry-After': '3' } },
  { type: 'drop' },
  { type: 'api-error', code: 5000 },
];

/** Progress events before each failure: a failure comes only once progress resumed. */
const PROGRESS_BETWEEN = 1;

/**
 * Injects the next fault into the emulator's `savezipprogress` after every few progress events.
 * Never two in a row, so a zip needs one retry per fault, far within `maxRetries`.
 * Returns the event handler to call with each `saveZip$` event.
 */
export function flakyInjector(fake: Pick<FakePCloud, 'inject'>, faults: readonly Fault[] = FLAKY_FAULTS): (event: SaveZipEvent) => void {
  let next = 0;
  let progressSinceFault = 0;
  return (event) => {
    if (event.type !== 'progress' || event.progress.done) return;
    progressSinceFault += 1;
    const fault = faults[next];
    if (fault === undefined || progressSinceFault < PROGRESS_BETWEEN) return;
    fake.inject('savezipprogress', fault);
    next += 1;
    progressSinceFault = 0;
  };
}
