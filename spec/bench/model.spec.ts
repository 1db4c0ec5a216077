import { STALL_DEFAULTS } from '../../lib/zip-progress/stall.js';
import { buildJob, type JobShape } from './jobs.js';
import { heavyTailedLatency } from './latency.js';
import { replayJob } from './model.js';
import { seededRandom } from './random.js';
import { simulateJob } from './simulate.js';

/**
 * The replay's stall guard against zipProgress$'s own, in fake time, on jobs built to reach
 * every path of the guard: its first timer firing and re-arming, a change re-arming it earlier,
 * a job it fails, and a fixed limit. Polls every minute so each job takes few requests.
 */
const MIN = 60_000;
const GIB = 2 ** 30;
const everyMinute = (): number => MIN;
const network = (seed: number) => ({ latency: heavyTailedLatency, random: seededRandom(seed) });
const shape = (overrides: Partial<JobShape>): JobShape => ({
  durationMs: 50 * MIN,
  sizes: [GIB],
  registerAtMs: 0,
  stallMs: 0,
  stallAtShare: 0,
  speedChange: 1,
  changeAtShare: 0,
  ...overrides,
});

async function both(shapeOf: JobShape, stallTimeout?: number) {
  const job = buildJob(1, shapeOf);
  const real = await simulateJob(job, everyMinute, network(7), stallTimeout);
  const replayed = replayJob(job, everyMinute, network(7), stallTimeout);
  return { job, real, replayed };
}

describe('bench model: the stall guard replayed as zipProgress$ arms it', () => {
  it('one 30 GiB file for 50 min: the default rule waits for it (its 15 min timer re-arms), a fixed 15 min fails it', async () => {
    const big = shape({ sizes: [30 * GIB] });
    const byDefault = await both(big);
    expect(byDefault.replayed).toEqual(byDefault.real);
    expect(byDefault.real.failure).toBeUndefined();

    const fixed = await both(big, 15 * MIN);
    expect(fixed.replayed).toEqual(fixed.real);
    expect(fixed.real.failure).toBe('ProgressTimeoutError');
    // Nothing changed after the first answer (within the first poll): 15 min after it.
    expect(fixed.real.failedAtMs).toBeGreaterThanOrEqual(15 * MIN);
    expect(fixed.real.failedAtMs).toBeLessThan(15 * MIN + 1000);
  });

  it('a change that leaves few bytes re-arms the guard earlier, and a stall after it fails the job at the default silence', async () => {
    // 10 GiB first (hours allowed), then two 1 MiB files held back by a 2 h stall.
    const stalled = shape({ durationMs: 150 * MIN, sizes: [10 * GIB, 2 ** 20, 2 ** 20], stallMs: 120 * MIN, stallAtShare: 0.9999 });
    const { job, real, replayed } = await both(stalled);
    expect(replayed).toEqual(real);
    expect(real.failure).toBe('ProgressTimeoutError');
    // The first file ends at ~30 min; the change is seen within a poll; then 15 min of silence.
    const firstFileEnd = 30 * MIN;
    expect(real.failedAtMs).toBeGreaterThan(firstFileEnd + STALL_DEFAULTS.baseMs);
    expect(real.failedAtMs).toBeLessThan(firstFileEnd + MIN + 1000 + STALL_DEFAULTS.baseMs);
    expect(job.endMs).toBeGreaterThan(real.failedAtMs!);
  });

  it('a stall shorter than the allowed silence is waited out by both', async () => {
    const paused = shape({ durationMs: 40 * MIN, sizes: [GIB, GIB], stallMs: 20 * MIN, stallAtShare: 0.25 });
    const { real, replayed } = await both(paused);
    expect(replayed).toEqual(real);
    expect(real.failure).toBeUndefined();
  });
});
