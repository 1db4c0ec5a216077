/**
 * Leaks: thousands of subscribe/unsubscribe cycles at random moments (mid-request, mid-wait),
 * plus streams that complete or fail on their own, against the emulator. Measured in a child
 * process (leak-probe.ts, `node --expose-gc`) so gc and the handle count are the probe's alone.
 *
 * LEAK_CYCLES sets the number of measured cycles (default 10,000, the figure).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** 10,000 cycles take ~20 s on a quiet 2-core machine (~80 s under heavy load). */
const DEFAULT_CYCLES = 10_000;
const CYCLES = Number(process.env.LEAK_CYCLES ?? DEFAULT_CYCLES);
const CONCURRENCY = 16;
/** Generous: ~3 ms of CPU per cycle on a machine shared with other jobs, and room for the confirming half. */
const PROBE_LIMIT_MS = 60_000 + CYCLES * 45;
/**
 * Heap growth tolerated after gc. Measured: 1-2 MB one-time (JIT code, pools) whatever the
 * count, and 0.1-0.6 MB between the two halves on a quiet machine (1.07 MB once, on Node 22
 * under CI's load: then one more half is measured, see the probe). A leak grows with cycles: 200 bytes retained per
 * cycle would add 1 MB over the second half of 10,000 (one retained stream is several KB).
 */
const HEAP_BOUND_BYTES = 3 * 1024 * 1024;
const HALF_BOUND_BYTES = 1024 * 1024;
/** The probe's warm-up cycles (its default), before the baseline. */
const WARMUP = 400;

interface ProbeResult {
  crashed?: string;
  cycles: number;
  concurrency: number;
  stats: { midRequest: number; midWait: number; beforeFirstRequest: number; completed: number; failed: number; unexpected: number; requests: number; waits: number };
  gcExposed: boolean;
  heapDelta: number;
  secondHalfHeapDelta: number;
  /** One more half's growth, measured only when the second half's passed HALF_BOUND_BYTES. */
  confirmHeapDelta?: number;
  baselineResources: Record<string, number>;
  finalResources: Record<string, number>;
  openAfterPause: number;
  inFlightAfter: number;
  socketsSettleMs: number;
  resourcesSettleMs: number;
  allClosedMs: number;
  openAtEnd: number;
}

function runProbe(cycles: number): Promise<ProbeResult> {
  const root = join(__dirname, '..', '..');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join('spec', 'reliability', 'leak-probe.ts'), String(cycles), String(CONCURRENCY), String(WARMUP), String(HALF_BOUND_BYTES)],
      { cwd: root, maxBuffer: 1 << 20, timeout: PROBE_LIMIT_MS },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(line) as ProbeResult);
        } catch {
          reject(new Error(`leak probe gave no result (${error?.message ?? 'exit 0'}): ${stdout.slice(-500)} ${stderr.slice(-2000)}`));
        }
      },
    );
  });
}

describe('leaks', () => {
  it(`${CYCLES} subscribe/unsubscribe cycles at random moments leave no socket, handle, timer or heap behind`, async () => {
    const result = await runProbe(CYCLES);
    process.stdout.write(`leak probe: ${JSON.stringify(result)}\n`);
    expect(result.crashed).toBeUndefined();
    expect(result.gcExposed).toBe(true);
    expect(result.cycles).toBe(CYCLES);

    // Every cycle ran as planned: 80% unsubscribed at random moments, 10% completed, 10% failed;
    // every other one through zipProgressEvents$.
    const { stats } = result;
    expect(stats.unexpected).toBe(0);
    expect(stats.completed).toBe(CYCLES / 10);
    expect(stats.failed).toBe(CYCLES / 10);
    expect(stats.midRequest + stats.midWait + stats.beforeFirstRequest).toBe((CYCLES * 8) / 10);
    // Both kinds of moment were really hit.
    expect(stats.midRequest).toBeGreaterThan(CYCLES / 100);
    expect(stats.midWait).toBeGreaterThan(CYCLES / 100);
    // zipProgressEvents$ (odd cycles) told waits (1901 before registration) before some left:
    // measured 26 of the 100 such cycles in 2,000 (most leave mid-request).
    expect(stats.waits).toBeGreaterThan(0);

    // Sockets: right after the cycles, only undici's idle keep-alive pool (bounded by the
    // concurrency, not the cycle count) and the probe's own savezip call; back to that single call once
    // the pool's idle timeout passes; 0 once the probe ends that call.
    expect(result.inFlightAfter).toBe(0);
    // Measured 24-36 with 16 streams at a time, for 1,000 to 10,000 cycles: it does not grow
    // with cycles. It can exceed the concurrency because undici finishes a TCP connect that an
    // aborted request had started and parks the socket in its pool; the pool closes idle
    // sockets after its keep-alive timeout (~4 s), checked just below.
    expect(result.openAfterPause).toBeLessThanOrEqual(4 * CONCURRENCY + 1);
    expect(result.socketsSettleMs).toBeGreaterThanOrEqual(0);
    expect(result.allClosedMs).toBeGreaterThanOrEqual(0);
    expect(result.openAtEnd).toBe(0);

    // Handles and timers: exactly the baseline (the server, the savezip call, the emulator's job timer).
    expect(result.resourcesSettleMs).toBeGreaterThanOrEqual(0);
    expect(result.finalResources).toEqual(result.baselineResources);

    // Heap: back to baseline within a small bound after gc.
    expect(result.heapDelta).toBeLessThan(HEAP_BOUND_BYTES);
    // A leak grows in every half: the second half, or when it passed the bound, one more half
    // (a one-off under load does not repeat; a leak would add as much again).
    expect(Math.min(result.secondHalfHeapDelta, result.confirmHeapDelta ?? Infinity)).toBeLessThan(HALF_BOUND_BYTES);
  }, PROBE_LIMIT_MS + 10_000);
});
