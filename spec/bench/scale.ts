import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom, type Subscription } from 'rxjs';
import { loadLibrary } from './library.js';
import { startLoopbackServer } from './loopback-server.js';
import type { BenchOptions, BenchSection } from './section.js';

/**
 * Scale in one process: many waiting `zipProgress$` subscriptions against a loopback server in
 * another process. Measures heap per waiting subscription, event-loop delay and sustained polls.
 */

const TARGET_HEAP_BYTES = 4 * 1024;
const TARGET_LOOP_P99_MS = 50;
/** Sustained polls must reach this share of subscriptions / mean wait (the loop keeps up). */
const TARGET_THROUGHPUT_SHARE = 0.9;
const AUTH = 'bench-token';

/** Everything one measurement does, all bounded. */
export interface ScalePlan {
  readonly subscriptions: number;
  /** Waits between polls are uniform in [meanWaitMs - spreadMs, meanWaitMs + spreadMs]. */
  readonly meanWaitMs: number;
  readonly spreadMs: number;
  /** Subscriptions are started evenly over this time, so first polls do not all land at once. */
  readonly rampMs: number;
  /** After the ramp, so every subscription has been answered and is waiting. */
  readonly settleMs: number;
  /** Event-loop delay and polls per second are taken over this window. */
  readonly windowMs: number;
  /** Polls per warm-up subscription (20 of them) before the baseline, so JIT code is not counted. */
  readonly warmUpPolls: number;
  /** Heap snapshots taken while waiting (median reported), this far apart. */
  readonly heapSamples: number;
  readonly heapSampleGapMs: number;
  /** Measure the built package (dist/) rather than lib/ (see library.ts). */
  readonly fromDist: boolean;
}

/**
 * 10,000 subscriptions with waits of 8..12 s: ~1,000 polls/s. The 4..6 s waits first used
 * (~2,000 polls/s) are more than one process plus the server can serve on 2 cores: ky alone
 * costs ~0.55 ms of CPU per request here (fetch ~0.4 ms), so 2,000 polls/s needs more than the
 * one core a Node event loop has, and requests then pile up by the thousand (the heap and delay
 * figures measured the backlog, not a waiting subscription). First polls are spread over one
 * mean wait, as an app's jobs would be, and the window starts after every one has been answered.
 */
const FULL: ScalePlan = {
  subscriptions: 10_000,
  meanWaitMs: 10_000,
  spreadMs: 2_000,
  rampMs: 10_000,
  settleMs: 14_000,
  windowMs: 20_000,
  warmUpPolls: 100,
  heapSamples: 3,
  heapSampleGapMs: 1_000,
  fromDist: true,
};
const SMOKE: ScalePlan = {
  subscriptions: 500,
  meanWaitMs: 2_000,
  spreadMs: 1_000,
  rampMs: 500,
  settleMs: 500,
  windowMs: 1_500,
  warmUpPolls: 25,
  heapSamples: 1,
  heapSampleGapMs: 0,
  fromDist: false,
};

/** What one measurement found; plain data, so a child process can hand it back as JSON. */
export interface ScaleFigures {
  readonly plan: ScalePlan;
  readonly heapBaselineBytes: number;
  readonly heapWaitingBytes: number;
  readonly heapAfterUnsubscribeBytes: number;
  readonly inFlightAtHeapSamples: number;
  readonly loopDelayP50Ms: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly pollsPerSecond: number;
  readonly errors: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const LOOP_RESOLUTION_MS = 10;

/**
 * Node 20's histogram records the whole interval between its timer's ticks (an idle loop reads
 * ~10 ms at p50 with a 10 ms resolution), so the interval is taken off to get the delay.
 */
function beyondInterval(nanoseconds: number): number {
  return Math.max(0, nanoseconds / 1e6 - LOOP_RESOLUTION_MS);
}

/**
 * Live heap: gc, then a macrotask so that FinalizationRegistry callbacks run (undici's Request
 * keeps its parent signal's abort listener until its own AbortController is collected and the
 * callback removes it), then gc again to collect what those callbacks released. Without the
 * turn in between, the figure counts ~1.4 KB per subscription of garbage waiting to be finalized.
 */
async function settledHeap(gc: NodeJS.GCFunction): Promise<number> {
  gc();
  await sleep(20);
  gc();
  await sleep(20);
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs in this process; needs `global.gc` (node --expose-gc). */
export async function measureScale(plan: ScalePlan): Promise<ScaleFigures> {
  const { gc } = globalThis;
  if (typeof gc !== 'function') throw new Error('measureScale needs node --expose-gc');
  const { zipProgress$ } = await loadLibrary(!plan.fromDist);
  const server = await startLoopbackServer();
  const subscriptions: Subscription[] = [];
  try {
    let answered = 0;
    let inFlight = 0;
    let errors = 0;
    // Counts polls at the client: the server is another process.
    const countingFetch: typeof fetch = async (input, init) => {
      inFlight += 1;
      try {
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
        answered += 1;
      }
    };
    const options = { auth: AUTH, apiUrl: server.url, fetch: countingFetch };
    // One observer for all: the heap figure is the library's, not 10,000 copies of a test closure.
    const observer = { error: (): void => { errors += 1; } };
    // One shared function: an app would not allocate a schedule per job either.
    const backoff = (): number => plan.meanWaitMs - plan.spreadMs + Math.random() * 2 * plan.spreadMs;

    // Warm-up: load every module, get hot code optimized (V8 code space is part of heapUsed) and
    // open the connection pool, all before the baseline.
    // 20 at a time (few connections), each completing after warmUpPolls: the server says done.
    const warmUp = Array.from({ length: 20 }, (_, i) =>
      lastValueFrom(zipProgress$({ ...options, progresshash: `done-after-${plan.warmUpPolls}-warm-up-${i}`, backoff: () => 0 })),
    );
    await Promise.all(warmUp);
    const heapBaselineBytes = await settledHeap(gc);

    // Paced by the clock, not by sleeps: a saturated loop wakes late, and the ramp must still end
    // about rampMs after it began (it catches up with bigger batches instead).
    const rampStart = performance.now();
    let started = 0;
    while (started < plan.subscriptions) {
      const due = Math.ceil(((performance.now() - rampStart) / plan.rampMs) * plan.subscriptions);
      for (const end = Math.min(plan.subscriptions, Math.max(started + 1, due)); started < end; started += 1) {
        const progress$ = zipProgress$({ ...options, progresshash: `scale-${started}`, backoff });
        subscriptions.push(progress$.subscribe(observer));
      }
      await sleep(50);
    }
    await sleep(plan.settleMs);

    const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    const answeredBefore = answered;
    const windowStart = performance.now();
    histogram.enable();
    await sleep(plan.windowMs);
    histogram.disable();
    const pollsPerSecond = (answered - answeredBefore) / ((performance.now() - windowStart) / 1000);

    // After the window: a full gc blocks the loop and would spoil the delay figures.
    const heaps: number[] = [];
    const inFlights: number[] = [];
    for (let s = 0; s < plan.heapSamples; s += 1) {
      if (s > 0) await sleep(plan.heapSampleGapMs);
      inFlights.push(inFlight);
      heaps.push(await settledHeap(gc));
    }

    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
    await sleep(200);
    const heapAfterUnsubscribeBytes = await settledHeap(gc);

    return {
      plan,
      heapBaselineBytes,
      heapWaitingBytes: median(heaps),
      heapAfterUnsubscribeBytes,
      inFlightAtHeapSamples: median(inFlights),
      loopDelayP50Ms: beyondInterval(histogram.percentile(50)),
      loopDelayP99Ms: beyondInterval(histogram.percentile(99)),
      loopDelayMaxMs: beyondInterval(histogram.max),
      pollsPerSecond,
      errors,
    };
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await server.close();
  }
}

const RESULT_MARK = '@@scale-figures@@';

/** Without `global.gc` (jest, or tsx without the flag): a fresh child with it, same code via tsx. */
async function measureInChild(plan: ScalePlan): Promise<ScaleFigures> {
  const self = fileURLToPath(import.meta.url);
  const root = resolve(dirname(self), '..', '..');
  const script = [
    `const { measureScale } = await import(${JSON.stringify(pathToFileURL(self).href)});`,
    `const figures = await measureScale(${JSON.stringify(plan)});`,
    `process.stdout.write('\\n${RESULT_MARK}' + JSON.stringify(figures) + '\\n');`,
  ].join('\n');
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Bounded: the whole plan plus 4 minutes, as a saturated loop (or a busy machine) runs late.
  const budgetMs = plan.rampMs + plan.settleMs + plan.windowMs + plan.heapSamples * plan.heapSampleGapMs + 240_000;
  const killer = setTimeout(() => { child.kill('SIGKILL'); }, budgetMs);
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => { output += chunk; });
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  }).finally(() => { clearTimeout(killer); });
  const line = output.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (code !== 0 || line === undefined) {
    throw new Error(`scale child failed (exit ${code ?? 'killed'} after its ${budgetMs / 1000} s budget or earlier): ${output.slice(-500)}`);
  }
  return JSON.parse(line.slice(RESULT_MARK.length)) as ScaleFigures;
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(2)} KB`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const met = (ok: boolean): string => (ok ? 'yes' : 'NO');

export async function run(options: BenchOptions): Promise<BenchSection> {
  const plan = options.smoke ? SMOKE : FULL;
  const gcInProcess = typeof globalThis.gc === 'function';
  const f = gcInProcess ? await measureScale(plan) : await measureInChild(plan);

  const perSubscription = (f.heapWaitingBytes - f.heapBaselineBytes) / plan.subscriptions;
  const retained = (f.heapAfterUnsubscribeBytes - f.heapBaselineBytes) / plan.subscriptions;
  // A poll cycle is the wait plus a sub-ms answer on loopback.
  const expectedPolls = plan.subscriptions / (plan.meanWaitMs / 1000);
  const heapOk = perSubscription < TARGET_HEAP_BYTES;
  const loopOk = f.loopDelayP99Ms < TARGET_LOOP_P99_MS;
  const pollsOk = f.pollsPerSecond >= TARGET_THROUGHPUT_SHARE * expectedPolls;
  const errorsOk = f.errors === 0;
  const n = plan.subscriptions.toLocaleString('en-US');
  const table = [
    `| measure (${n} waiting subscriptions) | figure | target | met |`,
    '|---|---|---|---|',
    `| heap per waiting subscription | ${kb(perSubscription)} | < ${kb(TARGET_HEAP_BYTES)} | ${met(heapOk)} |`,
    `| event-loop delay p99 (p50, max) | ${ms(f.loopDelayP99Ms)} (${ms(f.loopDelayP50Ms)}, ${ms(f.loopDelayMaxMs)}) | < ${TARGET_LOOP_P99_MS} ms | ${met(loopOk)} |`,
    `| polls per second over ${plan.windowMs / 1000} s | ${f.pollsPerSecond.toFixed(0)} | >= ${(TARGET_THROUGHPUT_SHARE * expectedPolls).toFixed(0)} (${TARGET_THROUGHPUT_SHARE * 100}% of ${expectedPolls.toFixed(0)}) | ${met(pollsOk)} |`,
    `| subscriptions that errored | ${f.errors} | 0 | ${met(errorsOk)} |`,
    `| heap still held per subscription after unsubscribing all | ${kb(retained)} | - | - |`,
  ].join('\n');
  return {
    title: 'Scale in one process',
    table,
    passed: heapOk && loopOk && pollsOk && errorsOk,
    notes: [
      `${n} zipProgress$ subscriptions started over ${plan.rampMs / 1000} s, each waiting ${(plan.meanWaitMs - plan.spreadMs) / 1000}..${(plan.meanWaitMs + plan.spreadMs) / 1000} s (uniform) between polls; the loopback server is a separate Node process, its body changes once every 10 s.`,
      `Heap: heapUsed after three global.gc() passes with a 20 ms turn between them (finalizers run), after a warm-up of 20 x ${plan.warmUpPolls} polls (${kb(f.heapBaselineBytes)}) and while waiting (median of ${plan.heapSamples}, ${kb(f.heapWaitingBytes)}; ~${f.inFlightAtHeapSamples} requests in flight then), difference / ${n}. It includes the app's own Subscription objects.`,
      `What the heap figure holds: with answers in well under 1 ms and ~${expectedPolls.toFixed(0)} polls/s, only a few requests are in flight at a time, so undici's pool keeps a few keep-alive sockets (the server keeps idle ones 60 s); the heap left after unsubscribing all, pool still open, is ${kb(retained)} per subscription. The figure is therefore the library's own state per waiting subscription (poller, stall timer, wait timer, subscriber chain, resolved options) plus the app's Subscription, not a request backlog.`,
      `Waits of ${(plan.meanWaitMs - plan.spreadMs) / 1000}..${(plan.meanWaitMs + plan.spreadMs) / 1000} s rather than 4..6 s: 2,000 polls/s at ~0.55 ms of ky + fetch CPU each is more than the one core an event loop has next to the server on 2 cores; requests then pile up by the thousand and the heap and delay figures measure that backlog.`,
      `Event-loop delay: perf_hooks.monitorEventLoopDelay (${LOOP_RESOLUTION_MS} ms resolution, interval subtracted) over the ${plan.windowMs / 1000} s window, after a ${plan.settleMs / 1000} s settle; no gc() inside the window.`,
      `${gcInProcess ? 'Measured in this process (global.gc available)' : 'Measured in a child `node --expose-gc --import tsx` (global.gc was missing here)'}, zipProgress$ from ${plan.fromDist ? 'dist/index.js, the built package' : 'lib/ (smoke run)'}.`,
    ],
  };
}
