import { spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom, type Subscription } from 'rxjs';
import { loadNodeLibrary, ROOT } from './library.js';
import { doneAfter, startLoopbackServer, type LoopbackStats } from './loopback-server.js';
import type { BenchOptions, BenchSection } from './section.js';
import { kb, median } from './stats.js';

/**
 * Scale in one process: many waiting `zipProgress$` subscriptions against a loopback server in
 * another process, over one account or many. Measures heap per waiting subscription, event-loop
 * delay and sustained polls, and, as the Node entry gives each credential its own connection
 * pool, the pools and sockets open while waiting and what is left once the pools are swept.
 */

const TARGET_HEAP_BYTES = 4 * 1024;
const TARGET_LOOP_P99_MS = 50;
/** Sustained polls must reach this share of subscriptions / mean wait (the loop keeps up). */
const TARGET_THROUGHPUT_SHARE = 0.9;

/** Everything one measurement does, all bounded. */
interface ScalePlan {
  readonly subscriptions: number;
  /** Subscription i uses the token `AUTH-<i % accounts>`: one connection pool per account. */
  readonly accounts: number;
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
  /** Measure the Node entry as built for the package rather than lib/ through tsx (see library.ts). */
  readonly built: boolean;
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
  accounts: 1,
  meanWaitMs: 10_000,
  spreadMs: 2_000,
  rampMs: 10_000,
  settleMs: 14_000,
  windowMs: 20_000,
  warmUpPolls: 100,
  heapSamples: 3,
  heapSampleGapMs: 1_000,
  built: true,
};
const STEADY: ScalePlan = { ...BUSY, meanWaitMs: 20_000, spreadMs: 4_000, rampMs: 20_000, settleMs: 26_000 };
/** The steady load over 100 accounts (100 subscriptions each): one pool per account. */
const STEADY_ACCOUNTS: ScalePlan = { ...STEADY, accounts: 100 };
const SMOKE: ScalePlan = {
  subscriptions: 200,
  accounts: 1,
  meanWaitMs: 2_000,
  spreadMs: 1_000,
  rampMs: 500,
  settleMs: 500,
  windowMs: 1_500,
  warmUpPolls: 25,
  heapSamples: 1,
  heapSampleGapMs: 0,
  built: false,
};
const SMOKE_ACCOUNTS: ScalePlan = { ...SMOKE, accounts: 10 };

/** The token of account `n` (the loopback server accepts any). */
const tokenOf = (n: number): string => `AUTH-${n}`;

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
  /** openPoolCount() and the server's open connections right after the window (before any gc). */
  readonly poolsWhileWaiting: number;
  readonly socketsWhileWaiting: number;
  /** Requests in flight at that moment. */
  readonly inFlightWhileWaiting: number;
  /** Connections that carried requests of two accounts, over the whole run (server side). */
  readonly mixedConnections: number;
  /** After unsubscribing all (and the heap reading), before the sweep. */
  readonly poolsBeforeSweep: number;
  readonly socketsBeforeSweep: number;
  /** After sweepIdlePools(now + POOL_IDLE_MS) and up to 5 s for the sockets to close. */
  readonly poolsAfterSweep: number;
  readonly socketsAfterSweep: number;
  /** Requests the server saw between unsubscribing and the end of the sweep (0: the pools were idle). */
  readonly requestsDuringSweep: number;
  readonly heapAfterSweepBytes: number;
  readonly source: string;
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
  // The Node entry, and no `fetch` option: requests take the default transport a Node user gets
  // (one undici pool per credential), whose pools the counters read.
  const { library, pools, source } = await loadNodeLibrary(!plan.built);
  const { zipProgress$ } = library;
  const server = await startLoopbackServer();
  const subscriptions: Subscription[] = [];
  let answered = 0;
  let inFlight = 0;
  // Counts polls at the client (the server is another process) through undici's diagnostics
  // channels, which the pools' undici publishes to: no wrapper around the transport.
  const onCreate = (): void => { inFlight += 1; };
  const onEnd = (): void => { inFlight -= 1; answered += 1; };
  subscribe('undici:request:create', onCreate);
  subscribe('undici:request:trailers', onEnd);
  subscribe('undici:request:error', onEnd);
  try {
    let errors = 0;
    const options = { apiUrl: server.url };
    const auth = (n: number): string => tokenOf(n % plan.accounts);
    // One observer for all: the heap figure is the library's, not 10,000 copies of a test closure.
    const observer = { error: (): void => { errors += 1; } };
    // One shared function: an app would not allocate a schedule per job either.
    const backoff = (): number => plan.meanWaitMs - plan.spreadMs + Math.random() * 2 * plan.spreadMs;

    // Warm-up: load every module, get hot code optimized (V8 code space is part of heapUsed) and
    // open the connection pool, all before the baseline.
    // 20 at a time (few connections), each completing after warmUpPolls: the server says done.
    const warmUp = Array.from({ length: 20 }, (_, i) =>
      lastValueFrom(zipProgress$({ ...options, auth: auth(i), progresshash: doneAfter(plan.warmUpPolls, `warm-up-${i}`), backoff: () => 0 })),
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
        const progress$ = zipProgress$({ ...options, auth: auth(started), progresshash: `scale-${started}`, backoff });
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
    const poolsWhileWaiting = pools.openPoolCount();
    const inFlightWhileWaiting = inFlight;
    const socketsWhileWaiting = (await server.stats()).openConnections;

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
    const unsubscribed = await server.stats();
    const poolsBeforeSweep = pools.openPoolCount();

    // Nothing sends after unsubscribing, so every pool is idle from here (requestsDuringSweep
    // checks it). Rather than wait POOL_IDLE_MS (30 s) per load, the sweep the library's timer
    // runs is called with its clock POOL_IDLE_MS ahead: the pools it closes are the ones the timer
    // would close once they had been idle that long.
    pools.sweepIdlePools(Date.now() + pools.POOL_IDLE_MS);
    const poolsAfterSweep = pools.openPoolCount();
    const swept = await serverQuiet(() => server.stats(), 5_000);
    const heapAfterSweepBytes = await settledHeap(gc);

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
      poolsWhileWaiting,
      socketsWhileWaiting,
      inFlightWhileWaiting,
      mixedConnections: swept.mixedConnections,
      poolsBeforeSweep,
      socketsBeforeSweep: unsubscribed.openConnections,
      poolsAfterSweep,
      socketsAfterSweep: swept.openConnections,
      requestsDuringSweep: swept.requests - unsubscribed.requests,
      heapAfterSweepBytes,
      source,
    };
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
    unsubscribe('undici:request:create', onCreate);
    unsubscribe('undici:request:trailers', onEnd);
    unsubscribe('undici:request:error', onEnd);
    await server.close();
  }
}

/** The server's counters once it has no connection open, or after `withinMs` (Agent.close() ends sockets asynchronously). */
async function serverQuiet(stats: () => Promise<LoopbackStats>, withinMs: number): Promise<LoopbackStats> {
  const deadline = performance.now() + withinMs;
  let now = await stats();
  while (now.openConnections > 0 && performance.now() < deadline) {
    await sleep(100);
    now = await stats();
  }
  return now;
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
  // Bounded: the whole plan plus 4 minutes, as a saturated loop (or a busy machine) runs late (the sweep waits 5 s at most).
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
const accounts = (n: number): string => (n === 1 ? '1 account' : `${n.toLocaleString('en-US')} accounts`);

/** One load's figures, derived, with the verdict of each target. */
interface LoadResult {
  readonly figures: ScaleFigures;
  readonly label: string;
  readonly heapPerSubscription: number;
  readonly retainedPerSubscription: number;
  readonly retainedAfterSweepPerSubscription: number;
  readonly expectedPolls: number;
  readonly heapOk: boolean;
  readonly loopOk: boolean;
  readonly pollsOk: boolean;
  readonly errorsOk: boolean;
  /** One pool per account while waiting, no more (none shared, none per subscription). */
  readonly poolsOk: boolean;
  readonly unmixedOk: boolean;
  /** Idle pools freed: no pool and no socket left after the sweep. */
  readonly sweptOk: boolean;
}

function judge(figures: ScaleFigures): LoadResult {
  const { plan } = figures;
  const perSubscription = (bytes: number): number => (bytes - figures.heapBaselineBytes) / plan.subscriptions;
  // A poll cycle is the wait plus a sub-ms answer on loopback.
  const expectedPolls = plan.subscriptions / (plan.meanWaitMs / 1000);
  const heapPerSubscription = perSubscription(figures.heapWaitingBytes);
  return {
    figures,
    label: `${accounts(plan.accounts)}, ${(plan.meanWaitMs - plan.spreadMs) / 1000}..${(plan.meanWaitMs + plan.spreadMs) / 1000} s waits`,
    heapPerSubscription,
    retainedPerSubscription: perSubscription(figures.heapAfterUnsubscribeBytes),
    retainedAfterSweepPerSubscription: perSubscription(figures.heapAfterSweepBytes),
    expectedPolls,
    heapOk: heapPerSubscription < TARGET_HEAP_BYTES,
    loopOk: figures.loopDelayP99Ms < TARGET_LOOP_P99_MS,
    pollsOk: figures.pollsPerSecond >= TARGET_THROUGHPUT_SHARE * expectedPolls,
    errorsOk: figures.errors === 0,
    poolsOk: figures.poolsWhileWaiting === plan.accounts,
    unmixedOk: figures.mixedConnections === 0,
    sweptOk: figures.poolsAfterSweep === 0 && figures.socketsAfterSweep === 0,
  };
}

/** "yes" when every load meets it, else the verdict per load. */
function verdict(loads: readonly LoadResult[], ok: (load: LoadResult) => boolean): string {
  if (loads.every(ok)) return 'yes';
  return loads.length === 1 ? 'NO' : loads.map((l) => `${ok(l) ? 'yes' : 'NO'} (${l.label})`).join(', ');
}

const passes = (l: LoadResult): boolean => l.heapOk && l.loopOk && l.pollsOk && l.errorsOk && l.poolsOk && l.unmixedOk && l.sweptOk;

/** The section and the figures of each load (the smoke spec asserts the pool figures). */
export async function measureSection(options: BenchOptions): Promise<{ readonly section: BenchSection; readonly loads: readonly ScaleFigures[] }> {
  const plans = options.smoke ? [SMOKE, SMOKE_ACCOUNTS] : [STEADY, STEADY_ACCOUNTS, BUSY];
  const gcInProcess = typeof globalThis.gc === 'function';
  const loads: LoadResult[] = [];
  // One at a time, each in a fresh process when possible: a load must not see another's heap or pools.
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
    row('connection pools open while waiting', (l) => String(l.figures.poolsWhileWaiting), '= accounts', (l) => l.poolsOk),
    row(
      'open sockets while waiting, server side (requests in flight)',
      (l) => `${l.figures.socketsWhileWaiting} (${l.figures.inFlightWhileWaiting})`,
      '-',
    ),
    row('sockets that carried two accounts (server side)', (l) => String(l.figures.mixedConnections), '0', (l) => l.unmixedOk),
    row(
      'pools / sockets left after unsubscribing all, POOL_IDLE_MS and a sweep',
      (l) => `${l.figures.poolsAfterSweep} / ${l.figures.socketsAfterSweep}`,
      '0 / 0',
      (l) => l.sweptOk,
    ),
    row('heap still held per subscription after unsubscribing all (pools open)', (l) => kb(l.retainedPerSubscription), '-'),
    row('heap still held per subscription after the sweep', (l) => kb(l.retainedAfterSweepPerSubscription), '-'),
  ].join('\n');
  const section: BenchSection = {
    title: 'Scale in one process',
    table,
    passed: loads.every(passes),
    notes: [
      `${n} zipProgress$ subscriptions per load, started over one mean wait, each waiting a uniform random time between polls; subscription i sends the token AUTH-<i mod accounts>. The loopback server is a separate Node process, its body changes once every 10 s. The loads run one after the other, each in its own process.`,
      `Heap: heapUsed after three global.gc() passes with a 20 ms turn between them (finalizers run), after a warm-up of 20 x ${first.warmUpPolls} polls (spread over the accounts) and while waiting (median of ${first.heapSamples}), difference / ${n}. It includes the app's own Subscription objects and, over many accounts, the pools the warm-up did not open. Per load, KB baseline -> waiting (requests in flight then): ${loads.map((l) => `${kb(l.figures.heapBaselineBytes)} -> ${kb(l.figures.heapWaitingBytes)} (${l.figures.inFlightAtHeapSamples})`).join('; ')}.`,
      `What the heap figure holds: answers take well under 1 ms, so on an idle machine only a few requests are in flight at a time. The figure is then the library's own state per waiting subscription (poller, wait and stall timers, resolved options, last snapshot) plus the app's Subscription and the pools with their sockets, not a request backlog; when the loop falls behind, the requests it has queued and their sockets count too.`,
      `Pools and sockets: openPoolCount() of the library's own pool module and the server's open TCP connections, read right after the window. A pool opens a socket for each request that finds all of its sockets busy (undici sets no cap) and keeps an idle one as long as the server's Keep-Alive header allows less 2 s: 58 s here, so the count is about the most requests in flight at once over the last minute, not the requests in flight now. The server remembers the first auth of each connection and counts those that later carry another. After unsubscribing all, pools / sockets before the sweep: ${loads.map((l) => `${l.figures.poolsBeforeSweep} / ${l.figures.socketsBeforeSweep}`).join('; ')}. The sweep is the library's sweepIdlePools called with its clock POOL_IDLE_MS (30 s) ahead, instead of waiting 30 s per load: nothing is sent after unsubscribing (requests the server saw meanwhile: ${loads.map((l) => l.figures.requestsDuringSweep).join('; ')}), so these are the pools the library's 30 s timer would close. Sockets are read once the server sees none open, 5 s at most.`,
      `Event-loop delay: perf_hooks.monitorEventLoopDelay (${LOOP_RESOLUTION_MS} ms resolution, interval subtracted) over the ${first.windowMs / 1000} s window, after the settle; no gc() inside the window. At ~1,000 polls/s the loop is ~75% busy, so its p99 moves with whatever else the machine is doing; at ~500 polls/s it has room. Polls are counted at the client through undici's diagnostics channels (request created, request ended), with no wrapper around the transport.`,
      `${gcInProcess ? 'Measured in this process (global.gc available)' : 'Measured in a child `node --expose-gc --import tsx` (global.gc was missing here)'}; zipProgress$ from the Node entry (what \`pcloud-zip-progress\` resolves to in Node) with no \`fetch\` option, so requests take its default transport, one connection pool per credential: ${first.built ? loads[0]!.figures.source : 'lib/node.ts through tsx (smoke run)'}.`,
    ],
  };
  return { section, loads: loads.map((l) => l.figures) };
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  return (await measureSection(options)).section;
}
