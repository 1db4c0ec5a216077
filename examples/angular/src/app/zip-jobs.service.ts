import {
  computed,
  DestroyRef,
  type EnvironmentProviders,
  inject,
  Injectable,
  InjectionToken,
  makeEnvironmentProviders,
  NgZone,
  type Signal,
  signal,
  untracked,
} from '@angular/core';
import { BehaviorSubject, concat, defer, distinctUntilChanged, filter, map, type Observable, type Subscription, takeWhile } from 'rxjs';
import {
  type PCloudFileMetadata,
  type PollingOptions,
  saveZip$,
  type SaveZipDestination,
  type SaveZipEvent,
  type SaveZipOptions,
  type SaveZipTree,
  DEFAULT_API_URL,
  type ZipProgress,
  zipProgressEvents$,
} from 'pcloud-zip-progress';
import { retryReason } from './error-hint';
import { savedZip$ } from './saved-zip';
import { type StoredZipJob, ZIP_JOB_STORE } from './zip-job-store';

/**
 * A credential: a fixed string, a signal, or a function. Signals and functions are read when
 * each job starts, so a token refreshed after login (or after it expired) is used by the next job.
 */
export type PCloudToken = string | Signal<string | undefined> | (() => string | undefined);

/**
 * How the app talks to pCloud: endpoint, one credential, and optional polling options
 * (`backoff`, `timeout`, `stallTimeout`, ...) applied to every job.
 */
export interface PCloudConfig extends PollingOptions {
  /** `https://api.pcloud.com` (US, the default) or `https://eapi.pcloud.com` (EU). */
  readonly apiUrl?: string;
  /** A pCloud session token (form field `auth`); or use `accessToken`. */
  readonly auth?: PCloudToken;
  /** An OAuth 2.0 token (`Authorization: Bearer`); or use `auth`. */
  readonly accessToken?: PCloudToken;
  /**
   * The `fetch` the library sends every request with (default: the global one). Requests do not
   * go through `HttpClient`, so its interceptors do not see them: wrap `fetch` instead.
   */
  readonly fetch?: typeof globalThis.fetch;
  /** Ask `currentserver` first (default true); turn off behind a proxy. */
  readonly pinServer?: boolean;
}

/** The connection config `ZipJobsService` uses; provide it with {@link providePCloud}. */
export const PCLOUD_CONFIG = new InjectionToken<PCloudConfig>('PCLOUD_CONFIG');

/**
 * `providers: [providePCloud({ apiUrl, auth })]` in `app.config.ts`, in a route's `providers` (the
 * service then belongs to that route's injector, shared by the route's components and its child
 * routes), or in a TestBed. It provides the config and the {@link ZipJobsService} that uses it. Pass a factory
 * instead of an object to build the config with `inject()` (it runs once, in the injection
 * context); tokens inside it may be signals, read for each new job.
 *
 * @example
 * ```ts
 * providePCloud(() => ({ apiUrl: 'https://eapi.pcloud.com', accessToken: inject(AuthStore).token }))
 * ```
 */
export function providePCloud(config: PCloudConfig | (() => PCloudConfig)): EnvironmentProviders {
  return makeEnvironmentProviders([
    typeof config === 'function' ? { provide: PCLOUD_CONFIG, useFactory: config } : { provide: PCLOUD_CONFIG, useValue: config },
    // Next to its config: in a route's injector the service finds the route's PCLOUD_CONFIG (a
    // root-provided service would look for it in the root injector, and fail with NG0201).
    ZipJobsService,
  ]);
}

/**
 * Where nobody called providePCloud(): instead of NG0201 about PCLOUD_CONFIG (or the service),
 * say what to add, and where. (Angular remembers a failed creation: a second attempt in the same
 * injector reports NG0200, a circular dependency. The first error is the one to read.)
 */
function notProvided(): never {
  throw new Error(
    "ZipJobsService is not provided here: add providePCloud({ apiUrl, auth }) to the application's providers (app.config.ts) or to the providers of a route above the component that injects it",
  );
}

/** The credential's current value; never tracked by a surrounding reactive context. */
function readToken(token: PCloudToken | undefined): string | undefined {
  if (token === undefined || typeof token === 'string') return token;
  // A signal is a function too: untracked() reads either without tracking it.
  return untracked(token);
}

/** What to zip and where to save it (`savezip`'s tree and destination). */
export interface ZipRequest extends SaveZipTree, SaveZipDestination {
  /** pCloud's `timeoffset` for the dates inside the zip. */
  readonly timeoffset?: string | number;
  /** Shown in the UI; defaults to the destination (`topath` or `toname`). */
  readonly label?: string;
}

export type ZipJobStatus = 'running' | 'saved' | 'failed' | 'cancelled';

/** One zip job as the UI sees it; a new object on every change (signal/OnPush friendly). */
export interface ZipJob {
  readonly id: string;
  readonly label: string;
  readonly status: ZipJobStatus;
  /** The latest progress snapshot; undefined until the first poll answered. */
  readonly progress: ZipProgress | undefined;
  /** The saved zip's metadata, once `status` is `'saved'`. */
  readonly metadata: PCloudFileMetadata | undefined;
  /** What made the job fail, once `status` is `'failed'` (a `PCloudApiError`, `TransportError`, ...). */
  readonly error: unknown;
  /**
   * Set while a running job waits to retry a failed poll; undefined once a poll answers again
   * (the next progress), and when the job ends.
   */
  readonly wait: ZipJobWait | undefined;
}

/**
 * A running job between a failed poll and its retry (the library's `retrying` event): why, and
 * when the next attempt goes out. The bar keeps the last progress meanwhile.
 */
export interface ZipJobWait {
  readonly state: 'reconnecting';
  /** Why, with the host, never the token or server text: e.g. `HTTP 503 from api.pcloud.com`. */
  readonly reason: string;
  /** This retry's number in a row, 1 to `maxRetries`. */
  readonly attempt: number;
  readonly maxRetries: number;
  /** When the retry goes out, ms since the epoch (`Date.now()` + the library's `delayMs`). */
  readonly retryAt: number;
}

/**
 * Starts pCloud zip jobs with `saveZip$` and keeps their state in a signal (`jobs`), with an
 * Observable view (`jobs$`). {@link providePCloud} provides it, in the injector it goes into.
 * `cancel(id)` aborts one job (its HTTP requests are aborted and the polling stops); destroying
 * the injector that owns the service (the app's, a route's, or `TestBed.resetTestingModule()`)
 * cancels every running job.
 *
 * Running jobs survive a page reload: as soon as `savezip` is sent (the `started` event) the
 * job's reference goes to the {@link ZIP_JOB_STORE} (`sessionStorage` by default), and a new
 * service re-attaches to every stored job (`zipProgressEvents$({ job })`, then `zipFileMetadata$` for
 * the saved file), under the same id and label. A job leaves the store when it ends or is
 * cancelled; a destroyed service leaves it there, for the next one.
 *
 * The library's requests and timers are started outside Angular's zone, so that a zone-based
 * app still becomes stable while a job runs; state changes are signal writes, which schedule
 * change detection in zone-based and zoneless apps alike.
 */
@Injectable({
  // Only a fallback that explains itself: the service is created by the provider that
  // providePCloud() adds to its injector (the app's or a route's), which comes first.
  providedIn: 'root',
  useFactory: notProvided,
})
export class ZipJobsService {
  readonly #config = inject(PCLOUD_CONFIG);
  readonly #zone = inject(NgZone);
  readonly #store = inject(ZIP_JOB_STORE);
  /** The running jobs' references, as last saved to the store. */
  #stored: readonly StoredZipJob[] = [];
  readonly #jobs = signal<readonly ZipJob[]>([]);
  // The Observable view: fed synchronously with every state, so it sees each one (toObservable
  // would coalesce them and stop before the final `cancelled` on destroy).
  readonly #states = new BehaviorSubject<readonly ZipJob[]>([]);
  readonly #running = new Map<string, Subscription>();
  // One computed per id: job(id) in a template or a loop returns the same signal every time.
  readonly #byId = new Map<string, Signal<ZipJob | undefined>>();
  #nextId = 1;
  #destroyed = false;

  /** Every job started by this service (and not dismissed), oldest first. */
  readonly jobs: Signal<readonly ZipJob[]> = this.#jobs.asReadonly();
  /** Jobs still running. */
  readonly running: Signal<readonly ZipJob[]> = computed(() => this.jobs().filter((job) => job.status === 'running'));
  /** The same list as `jobs`, emitted on each change; completes when the service is destroyed. */
  readonly jobs$: Observable<readonly ZipJob[]> = this.#states.asObservable();

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.#destroyed = true;
      // Stop watching, but keep the references: the zips go on, and the next page resumes them.
      for (const id of [...this.#running.keys()]) this.#stop(id);
      this.#states.complete();
    });
    this.#stored = this.#store.load();
    for (const stored of this.#stored) this.#resume(stored);
  }

  /**
   * Starts a zip and returns its job id. Throws a TypeError at once when the request or the
   * config is invalid (no tree, no destination, bad credentials, ...).
   */
  start(request: ZipRequest): string {
    if (this.#destroyed) throw new Error('ZipJobsService was destroyed');
    const { label, ...zip } = request;
    const options: SaveZipOptions = { ...this.#connection(), ...zip };
    const events$ = saveZip$(options); // validates synchronously, before any job exists
    const id = `zip-${this.#nextId++}`;
    this.#run({ id, label: label ?? zip.topath ?? zip.toname ?? id, host: hostOf(options.apiUrl ?? DEFAULT_API_URL) }, events$);
    return id;
  }

  /** Cancels a running job: aborts its requests and stops polling. False if it was not running. */
  cancel(id: string): boolean {
    if (!this.#stop(id)) return false;
    // Cancelled by the user: not resumed after a reload (pCloud may still finish the zip).
    this.#forget(id);
    return true;
  }

  /** Cancels every running job. */
  cancelAll(): void {
    for (const id of [...this.#running.keys()]) this.cancel(id);
  }

  /** Removes the jobs that ended (saved, failed or cancelled) from `jobs`. */
  dismissFinished(): void {
    const kept = this.#jobs().filter((job) => job.status === 'running');
    for (const job of this.#jobs()) if (job.status !== 'running') this.#byId.delete(job.id);
    this.#set(kept);
  }

  /**
   * One job as a signal; its value is undefined for an unknown (or dismissed) id. The same
   * signal is returned for the same id, and it only notifies when that job changes.
   */
  job(id: string): Signal<ZipJob | undefined> {
    let job = this.#byId.get(id);
    if (job === undefined) {
      job = computed(() => this.#jobs().find((candidate) => candidate.id === id));
      this.#byId.set(id, job);
    }
    return job;
  }

  /** One job's states until it ends: completes after `saved`, `failed` or `cancelled`. */
  job$(id: string): Observable<ZipJob> {
    return this.#states.pipe(
      map((jobs) => jobs.find((job) => job.id === id)),
      filter((job): job is ZipJob => job !== undefined),
      distinctUntilChanged(),
      takeWhile((job) => job.status === 'running', true),
    );
  }

  /** The connection and polling options of a new job, with the credential read now. */
  #connection(): Omit<PCloudConfig, 'auth' | 'accessToken'> & { auth?: string; accessToken?: string } {
    const { auth, accessToken, ...config } = this.#config;
    return { ...config, ...withoutUndefined({ auth: readToken(auth), accessToken: readToken(accessToken) }) };
  }

  /** Shows a job started before the reload and watches it to its end. */
  #resume(stored: StoredZipJob): void {
    const { id, label, job } = stored;
    // New ids continue after the restored ones.
    const n = Number(/^zip-(\d+)$/.exec(id)?.[1]);
    if (Number.isSafeInteger(n) && n >= this.#nextId) this.#nextId = n + 1;
    // The same options as a new job's (zipProgressEvents$ ignores saveZip$'s own, such as pinServer).
    const connection = this.#connection();
    const events$: Observable<SaveZipEvent> = concat(
      // Throws a TypeError for a reference that cannot be trusted (its host): the job fails. A
      // job pCloud forgot fails with 1901 at once (the grace runs from its startedAt). Its
      // events include the waits (retrying...), as saveZip$'s do.
      defer(() => zipProgressEvents$({ ...connection, job })),
      defer(() => savedZip$(job, connection)).pipe(map((metadata) => ({ type: 'saved' as const, metadata }))),
    );
    this.#run({ id, label, host: hostOf(job.apiUrl) }, events$);
  }

  /** Adds the job's card and subscribes to its events (outside Angular's zone). */
  #run(card: { id: string; label: string; host: string }, events$: Observable<SaveZipEvent>): void {
    const { id, label } = card;
    // The host polls go to: the configured API until savezip pins one (`started`).
    let host = card.host;
    this.#set([...this.#jobs(), { id, label, status: 'running', progress: undefined, metadata: undefined, error: undefined, wait: undefined }]);
    const subscription = this.#zone.runOutsideAngular(() =>
      events$.subscribe({
        next: (event) => {
          if (event.type === 'started') host = hostOf(event.job.apiUrl);
          this.#onEvent(id, label, host, event);
        },
        error: (error: unknown) => {
          this.#running.delete(id);
          this.#forget(id);
          this.#update(id, { status: 'failed', error, wait: undefined });
        },
        complete: () => {
          this.#running.delete(id);
          this.#forget(id);
        },
      }),
    );
    // A stream that ended synchronously must not be kept as running.
    if (!subscription.closed) this.#running.set(id, subscription);
  }

  /** Stops watching a running job and marks it cancelled; false if it was not running. */
  #stop(id: string): boolean {
    const subscription = this.#running.get(id);
    if (subscription === undefined) return false;
    this.#running.delete(id);
    subscription.unsubscribe();
    this.#update(id, { status: 'cancelled', wait: undefined });
    return true;
  }

  #onEvent(id: string, label: string, host: string, event: SaveZipEvent): void {
    switch (event.type) {
      case 'started':
        // savezip is on its way: from now on a reload resumes this job instead of losing it.
        this.#remember({ id, label, job: event.job });
        break;
      case 'progress':
        this.#update(id, { progress: event.progress, wait: undefined });
        break;
      case 'retrying': {
        const { error, attempt, maxRetries, delayMs } = event;
        this.#update(id, { wait: { state: 'reconnecting', reason: retryReason(error, host), attempt, maxRetries, retryAt: Date.now() + delayMs } });
        break;
      }
      case 'waiting':
      case 'paused':
        // pCloud answered (the job is not registered yet), or polling stopped on purpose: not
        // a connection problem any more.
        this.#update(id, { wait: undefined });
        break;
      case 'saved':
        this.#forget(id);
        this.#update(id, { status: 'saved', metadata: event.metadata, wait: undefined });
        break;
      default:
        // Event types added by later library versions change nothing here.
        break;
    }
  }

  #remember(stored: StoredZipJob): void {
    this.#stored = [...this.#stored.filter((entry) => entry.id !== stored.id), stored];
    this.#store.save(this.#stored);
  }

  #forget(id: string): void {
    if (!this.#stored.some((entry) => entry.id === id)) return;
    this.#stored = this.#stored.filter((entry) => entry.id !== id);
    this.#store.save(this.#stored);
  }

  #update(id: string, change: Partial<Omit<ZipJob, 'id'>>): void {
    this.#set(this.#jobs().map((job) => (job.id === id ? { ...job, ...change } : job)));
  }

  #set(jobs: readonly ZipJob[]): void {
    this.#jobs.set(jobs);
    this.#states.next(jobs);
  }
}

/** `https://api.pcloud.com/` -> `api.pcloud.com` (never a user:password part); 'pCloud' for a non-URL. */
function hostOf(apiUrl: string | URL): string {
  try {
    return new URL(apiUrl).host;
  } catch {
    return 'pCloud';
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
