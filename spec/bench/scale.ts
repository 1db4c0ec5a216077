import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom, type Subscription } from 'rxjs';
import { loadLibrary, ROOT } from './library.js';
import { AUTH, doneAfter, startLoopbackServer } from './loopback-server.js';
import type { BenchOptions, BenchSection } from './section.js';
import { kb, median } from './stats.js';

/**
 * Scale in one process: many waiting `zipProgress$` subscriptions against a loopback server in
 * another process. Measures heap per waiting subscription, event-loop delay and sustained polls.
 */

const TARGET_HEAP_BYTES = 4 * 1024;
const TARGET_LOOP_P99_MS = 50;
/** Sustained polls must reach this share of subscriptions / mean wait (the loop keeps up). */
const TARGET_THROUGHPUT_SHARE = 0.9;

/** Everything one measurement does, all bounded. */
interface ScalePlan {
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
 * 10,000 subscriptions at two loads. Busy: waits of 8..12 s, ~1,000 polls/s, which keeps the
 * event loop ~75% busy here (ky + fetch cost ~0.6..0.8 ms of CPU per request on these 2 cores,
 * next to the server process); 4..6 s waits (~2,000 polls/s) need more than the one core an
 * event loop has, and requests then pile up by the thousand. Steady: waits of 16..24 s,
 * ~500 polls/s. First polls are spread over one mean wait, as an app's jobs would be, and the
 * window starts after every one has been answered.
 */
const BUSY: ScalePlan = {
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
const STEADY: ScalePlan = { ...BUSY, meanWaitMs: 20_000, spreadMs: 4_000, rampMs: 20_000, settleMs: 26_000 };
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
interface ScaleFigures {
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
      lastValueFrom(zipProgress$({ ...options, progresshash: doneAfter(plan.warmUpPolls, `warm-up-${i}`), backoff: () => 0 })),
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
  const script = [
    `const { measureScale } = await import(${JSON.stringify(pathToFileURL(self).href)});`,
    `const figures = await measureScale(${JSON.stringify(plan)});`,
    `process.stdout.write('\\n${RESULT_MARK}' + JSON.stringify(figures) + '\\n');`,
  ].join('\n');
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
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

const ms = (value: number): string => `${value.toFixed(1)} ms`;

/** One load's figures, derived, with the verdict of each target. */
interface LoadResult {
  readonly figures: ScaleFigures;
  readonly label: string;
  readonly heapPerSubscription: number;
  readonly retainedPerSubscription: number;
  readonly expectedPolls: number;
  readonly heapOk: boolean;
  readonly loopOk: boolean;
  readonly pollsOk: boolean;
  readonly errorsOk: boolean;
}

function judge(figures: ScaleFigures): LoadResult {
  const { plan } = figures;
  const heapPerSubscription = (figures.heapWaitingBytes - figures.heapBaselineBytes) / plan.subscriptions;
  // A poll cycle is the wait plus a sub-ms answer on loopback.
  const expectedPolls = plan.subscriptions / (plan.meanWaitMs / 1000);
  return {
    figures,
    label: `${(plan.meanWaitMs - plan.spreadMs) / 1000}..${(plan.meanWaitMs + plan.spreadMs) / 1000} s waits`,
    heapPerSubscription,
    retainedPerSubscription: (figures.heapAfterUnsubscribeBytes - figures.heapBaselineBytes) / plan.subscriptions,
    expectedPolls,
    heapOk: heapPerSubscription < TARGET_HEAP_BYTES,
    loopOk: figures.loopDelayP99Ms < TARGET_LOOP_P99_MS,
    pollsOk: figures.pollsPerSecond >= TARGET_THROUGHPUT_SHARE * expectedPolls,
    errorsOk: figures.errors === 0,
  };
}

/** "yes" when every load meets it, else the verdict per load. */
function verdict(loads: readonly LoadResult[], ok: (load: LoadResult) => boolean): string {
  if (loads.every(ok)) return 'yes';
  return loads.length === 1 ? 'NO' : loads.map((l) => `${ok(l) ? 'yes' : 'NO'} (${l.label})`).join(', ');
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const plans = options.smoke ? [SMOKE] : [STEADY, BUSY];
  const gcInProcess = typeof globalThis.gc === 'function';
  const loads: LoadResult[] = [];
  // One at a time, each in a fresh process when possible: the second must not see the first's heap.
  for (const plan of plans) loads.push(judge(gcInProcess ? await measureScale(plan) : await measureInChild(plan)));

  const first = plans[0]!;
  const n = first.subscriptions.toLocaleString('en-US');
  const row = (measure: string, cell: (l: LoadResult) => string, target: string, ok?: (l: LoadResult) => boolean): string =>
    `| ${measure} | ${loads.map(cell).join(' | ')} | ${target} | ${ok ? verdict(loads, ok) : '-'} |`;
  const table = [
    `| measure (${n} waiting subscriptions) | ${loads.map((l) => l.label).join(' | ')} | target | met |`,
    `|---|${loads.map(() => '---|').join('')}---|---|`,
    row('heap per waiting subscription', (l) => kb(l.heapPerSubscription), `< ${kb(TARGET_HEAP_BYTES)}`, (l) => l.heapOk),
    row(
      'event-loop delay p99 (p50, max)',
      (l) => `${ms(l.figures.loopDelayP99Ms)} (${ms(l.figures.loopDelayP50Ms)}, ${ms(l.figures.loopDelayMaxMs)})`,
      `< ${TARGET_LOOP_P99_MS} ms`,
      (l) => l.loopOk,
    ),
    row(
      `polls per second over ${first.windowMs / 1000} s (expected)`,
      (l) => `${l.figures.pollsPerSecond.toFixed(0)} (${l.expectedPolls.toFixed(0)})`,
      `>= ${TARGET_THROUGHPUT_SHARE * 100}% of expected`,
      (l) => l.pollsOk,
    ),
    row('subscriptions that errored', (l) => String(l.figures.errors), '0', (l) => l.errorsOk),
    row('heap still held per subscription after unsubscribing all', (l) => kb(l.retainedPerSubscription), '-'),
  ].join('\n');
  return {
    title: 'Scale in one process',
    table,
    passed: loads.every((l) => l.heapOk && l.loopOk && l.pollsOk && l.errorsOk),
    notes: [
      `${n} zipProgress$ subscriptions per load, started over one mean wait, each waiting a uniform random time between polls; the loopback server is a separate Node process, its body changes once every 10 s. The two loads run one after the other, each in its own process.`,
      `Heap: heapUsed after three global.gc() passes with a 20 ms turn between them (finalizers run), after a warm-up of 20 x ${first.warmUpPolls} polls and while waiting (median of ${first.heapSamples}), difference / ${n}. It includes the app's own Subscription objects. Per load, KB baseline -> waiting (requests in flight then): ${loads.map((l) => `${kb(l.figures.heapBaselineBytes)} -> ${kb(l.figures.heapWaitingBytes)} (${l.figures.inFlightAtHeapSamples})`).join('; ')}.`,
      `What the heap figure holds: answers take well under 1 ms, so only a few requests are in flight at a time and undici's pool keeps a few keep-alive sockets (the server keeps idle ones 60 s); the heap left after unsubscribing all, pool still open, is the last row. The figure is therefore the library's own state per waiting subscription (poller, wait and stall timers, resolved options, last snapshot) plus the app's Subscription, not a request backlog.`,
      `Event-loop delay: perf_hooks.monitorEventLoopDelay (${LOOP_RESOLUTION_MS} ms resolution, interval subtracted) over the ${first.windowMs / 1000} s window, after the settle; no gc() inside the window. At ~1,000 polls/s the loop is ~75% busy with ky + fetch, so its p99 moves with whatever else the machine is doing; at ~500 polls/s it has room.`,
      `${gcInProcess ? 'Measured in this process (global.gc available)' : 'Measured in a child `node --expose-gc --import tsx` (global.gc was missing here)'}, zipProgress$ from ${first.fromDist ? 'dist/index.js, the built package' : 'lib/ (smoke run)'}.`,
    ],
  };
}
