import { map, Observable, type SchedulerLike, type Subscriber, type Subscription, type Unsubscribable } from 'rxjs';
import { ProgressTimeoutError } from '../errors/progress-timeout-error.js';
import { callPCloud$, requestTimeoutError } from '../pcloud/client.js';
import { SaveZipProgressBody } from '../pcloud/codecs.js';
import { abortable } from '../poll/abortable.js';
import { type PollConfig, type PollContext, type PollSink, type PollVerdict, type PollWait, startPolling } from '../poll/poll.js';
import { scheduleAfter } from '../poll/schedule-after.js';
import { classifyProgressError } from './classify.js';
import { clientConfig, type ResolvedConnection } from '../pcloud/connection-options.js';
import { progressHint } from '../pcloud/hints.js';
import type { ResolvedPolling } from './polling-options.js';
import { estimateRate, type ProgressSample } from './rate.js';
import { isZipDone, progressFraction, sameCounts, type ZipProgress } from './snapshot.js';
import { allowedSilenceMs } from './stall.js';

/**
 * Scheduler work of the stall guard; `watch` is the subscription's state. A change re-arms it
 * only when it brings the stall closer (see `ZipProgressWatch.next`), so when it fires after a
 * change it waits out the rest of the allowed silence from that change and checks again.
 */
function stallExpired(watch: ZipProgressWatch): void {
  const left = watch.stallMsLeft();
  if (left > 0) watch.armStall(left);
  else watch.fail('stall');
}

/** Scheduler work of the overall deadline. */
function deadlineExpired(watch: ZipProgressWatch): void {
  watch.fail('deadline');
}

/**
 * The state of one `zipProgress$` subscription in one object: it is the poller's configuration
 * and its sink, and holds the deadline and stall timers. Thousands of subscriptions may wait in
 * one process, so a waiting one holds this object, the poller and its timers, and no closure,
 * operator chain or inner subscriber (an abort `signal` adds one operator).
 */
class ZipProgressWatch implements PollConfig<ZipProgress>, PollSink<ZipProgress>, Unsubscribable {
  readonly maxRetries: number;
  readonly scheduler: SchedulerLike;
  readonly paused: Observable<boolean> | undefined;
  /** Enforced by the poller, lazily (the client's per-call timer is off: see observeZipProgress). */
  readonly requestTimeout: number;
  private readonly startedAt: number;
  private first: ProgressSample | undefined;
  /** The snapshot of the latest answer (emitted or not): the schedule reads its rate and ETA. */
  private latest: ZipProgress | undefined;
  private emitted: ZipProgress | undefined;
  /** When the progress last changed (or polling started): the stall guard counts from here. */
  private changedAt: number;
  private readonly deadline: Subscription | undefined;
  private stall: Subscription | undefined;
  /** When the armed stall timer fires, on the scheduler's clock. */
  private stallDueAt = Infinity;
  private poller: Unsubscribable | undefined;
  /** While paused, when the stall clock stopped (undefined: running). */
  private pausedAt: number | undefined;

  constructor(
    /** One `savezipprogress` call, shared by every poll (and every subscription of one call). */
    private readonly progress$: Observable<SaveZipProgressBody>,
    private readonly polling: ResolvedPolling,
    private readonly subscriber: Subscriber<ZipProgress>,
    /** Told of each wait (the events factories); undefined: the poller reports none. */
    readonly waiting: ((wait: PollWait<ZipProgress>) => void) | undefined,
  ) {
    const { scheduler, timeout } = polling;
    this.maxRetries = polling.maxRetries;
    this.scheduler = scheduler;
    this.paused = polling.paused;
    this.requestTimeout = polling.requestTimeout;
    this.startedAt = scheduler.now();
    this.changedAt = this.startedAt;
    // The overall deadline is armed before the first request; any length (chained timers).
    this.deadline = Number.isFinite(timeout) ? scheduleAfter(scheduler, timeout, deadlineExpired, this) : undefined;
  }

  /** Starts polling; returns the subscription's teardown. */
  start(): Unsubscribable {
    this.poller = startPolling<ZipProgress>(this, this);
    // Only changes are emitted, so "no emission for the allowed silence" is exactly a stall. Not
    // armed when the stream already ended or the consumer left inside next (take(1), firstValueFrom).
    if (!this.subscriber.closed && this.stall === undefined && this.pausedAt === undefined) this.armStall(this.stallMsLeft());
    return this;
  }

  /** The stall clock stops while paused: the silence counted resumes where it stopped. */
  pauseChanged(paused: boolean): void {
    const now = this.scheduler.now();
    if (paused) {
      this.pausedAt = now;
      this.stall?.unsubscribe();
      this.stall = undefined;
      this.stallDueAt = Infinity;
      return;
    }
    if (this.pausedAt === undefined) return;
    this.changedAt += now - this.pausedAt;
    this.pausedAt = undefined;
    if (!this.subscriber.closed) this.armStall(this.stallMsLeft());
  }

  /** Arms the stall guard to fire in `ms` (a fixed `stallTimeout` of Infinity arms nothing). */
  armStall(ms: number): void {
    this.stall?.unsubscribe();
    this.stallDueAt = this.scheduler.now() + ms;
    this.stall = Number.isFinite(ms) ? scheduleAfter(this.scheduler, ms, stallExpired, this) : undefined;
  }

  unsubscribe(): void {
    this.deadline?.unsubscribe();
    this.stall?.unsubscribe();
    this.poller?.unsubscribe();
  }

  // PollConfig: one request, how to compare and judge answers, how long to wait.

  request(): Observable<ZipProgress> {
    return this.progress$.pipe(map((body) => this.snapshot(body)));
  }

  requestTimedOut(): unknown {
    return requestTimeoutError('savezipprogress', this.requestTimeout);
  }

  equals(a: ZipProgress, b: ZipProgress): boolean {
    return sameCounts(a, b);
  }

  isDone(snapshot: ZipProgress): boolean {
    return snapshot.done;
  }

  classify(error: unknown, context: PollContext<ZipProgress>): PollVerdict {
    return classifyProgressError(this.polling, error, context);
  }

  /**
   * The poller's generic context plus what the latest answer said about the job: the one place
   * where a `PollContext` becomes the public `BackoffContext` (spelled out, one object per poll,
   * one hidden class).
   */
  backoff(context: PollContext<ZipProgress>): number {
    const { latest } = this;
    return this.polling.backoff({
      polls: context.polls,
      unchangedPolls: context.unchangedPolls,
      failures: context.failures,
      lastProgress: context.last,
      bytesPerSecond: latest?.bytesPerSecond,
      etaMs: latest?.etaMs,
      msSinceLastAnswer: latest === undefined ? 0 : context.elapsedMs - latest.elapsedMs,
      lastError: context.lastError,
      elapsedMs: context.elapsedMs,
    });
  }

  // PollSink: what the poller delivers goes to the subscriber, and resets the stall guard.

  get closed(): boolean {
    return this.subscriber.closed;
  }

  next(snapshot: ZipProgress): void {
    this.emitted = snapshot;
    this.changedAt = this.scheduler.now();
    // An answer handled while paused: the silence starts counting at the resume.
    if (this.pausedAt !== undefined) this.pausedAt = this.changedAt;
    // The default rule may allow less silence after this change (fewer bytes left) than the
    // armed timer waits: re-arm then, so a dead job is caught in time. A fixed limit never does.
    if (this.stall !== undefined && !snapshot.done) {
      const left = this.stallMsLeft();
      if (this.changedAt + left < this.stallDueAt) this.armStall(left);
    }
    this.subscriber.next(snapshot);
  }

  error(error: unknown): void {
    this.subscriber.error(error);
  }

  complete(): void {
    this.subscriber.complete();
  }

  /** A guard expired: polling is cancelled first, then the stream fails (as rxjs `timeout` does). */
  fail(reason: 'stall' | 'deadline'): void {
    this.poller?.unsubscribe();
    const timeoutMs = reason === 'stall' ? this.allowedSilence() : this.polling.timeout;
    this.subscriber.error(new ProgressTimeoutError({ reason, timeoutMs, lastProgress: this.emitted }));
  }

  /** The silence allowed after the last change: a fixed `stallTimeout`, or the default rule. */
  private allowedSilence(): number {
    return this.polling.stallTimeout ?? allowedSilenceMs(this.emitted);
  }

  /** ms until the progress has been unchanged for the allowed silence. */
  stallMsLeft(): number {
    return this.changedAt + this.allowedSilence() - this.scheduler.now();
  }

  /** One answer as a snapshot, with the rate and ETA since the first answer. */
  private snapshot(body: SaveZipProgressBody): ZipProgress {
    const elapsedMs = this.scheduler.now() - this.startedAt;
    const { files, totalfiles, bytes, totalbytes } = body;
    const first = (this.first ??= { atMs: elapsedMs, files, bytes });
    const { bytesPerSecond, etaMs } = estimateRate(first, elapsedMs, body);
    // Spelled out in full, the same keys in the same order every time: every snapshot then
    // shares one hidden class (spreading here gave each subscription shapes of its own).
    this.latest = { files, totalfiles, bytes, totalbytes, fraction: progressFraction(body), done: isZipDone(body), elapsedMs, bytesPerSecond, etaMs };
    return this.latest;
  }
}

/**
 * Observes a resolved configuration; shared by `zipProgress$` and `saveZip$` (which pins the
 * host and validates its own options). `waiting` is told of every wait of every subscription.
 */
export function observeZipProgress(progresshash: string, connection: ResolvedConnection, polling: ResolvedPolling, waiting?: (wait: PollWait<ZipProgress>) => void): Observable<ZipProgress> {
  // Cold, and built once: every poll of every subscription sends the same request.
  // The poller bounds each request (one timer per run of back-to-back polls, not one per poll).
  const client = clientConfig(connection, { requestTimeout: Infinity, scheduler: polling.scheduler }, progressHint);
  const progress$ = callPCloud$(client, 'savezipprogress', { progresshash }, SaveZipProgressBody);
  const watched = new Observable<ZipProgress>((subscriber) => new ZipProgressWatch(progress$, polling, subscriber, waiting).start());
  return watched.pipe(abortable(connection.signal));
}
