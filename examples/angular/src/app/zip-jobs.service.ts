import { computed, DestroyRef, inject, Injectable, InjectionToken, NgZone, type Provider, type Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { BehaviorSubject, distinctUntilChanged, filter, map, type Observable, type Subscription, takeWhile } from 'rxjs';
import {
  type PCloudFileMetadata,
  type PollingOptions,
  saveZip$,
  type SaveZipDestination,
  type SaveZipOptions,
  type SaveZipTree,
  type ZipProgress,
} from 'pcloud-zip-progress';

/**
 * How the app talks to pCloud: endpoint, one credential, and optional polling options
 * (`backoff`, `timeout`, `stallTimeout`, ...) applied to every job.
 */
export interface PCloudConfig extends PollingOptions {
  /** `https://api.pcloud.com` (US, the default) or `https://eapi.pcloud.com` (EU). */
  readonly apiUrl?: string;
  /** A pCloud session token (form field `auth`); or use `accessToken`. */
  readonly auth?: string;
  /** An OAuth 2.0 token (`Authorization: Bearer`); or use `auth`. */
  readonly accessToken?: string;
  /** A fetch implementation for the library (defaults to the global one). */
  readonly fetch?: typeof globalThis.fetch;
  /** Ask `currentserver` first (default true); turn off behind a proxy. */
  readonly pinServer?: boolean;
}

/** The connection config `ZipJobsService` uses; provide it with {@link providePCloud}. */
export const PCLOUD_CONFIG = new InjectionToken<PCloudConfig>('PCLOUD_CONFIG');

/** `providers: [providePCloud({ auth, apiUrl })]` in `app.config.ts` (or a TestBed). */
export function providePCloud(config: PCloudConfig): Provider {
  return { provide: PCLOUD_CONFIG, useValue: config };
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
}

/**
 * Starts pCloud zip jobs with `saveZip$` and keeps their state, as a signal (`jobs`) and as an
 * Observable (`jobs$`). `cancel(id)` aborts one job (its HTTP requests are aborted and the
 * polling stops); destroying the injector that owns the service (the app, or
 * `TestBed.resetTestingModule()`) cancels every running job.
 *
 * The library's requests and timers are started outside Angular's zone, so that a zone-based
 * app still becomes stable while a job runs; state changes are signal writes, which schedule
 * change detection in zone-based and zoneless apps alike.
 */
@Injectable({ providedIn: 'root' })
export class ZipJobsService {
  readonly #config = inject(PCLOUD_CONFIG);
  readonly #zone = inject(NgZone);
  readonly #state = new BehaviorSubject<readonly ZipJob[]>([]);
  readonly #running = new Map<string, Subscription>();
  #nextId = 1;
  #destroyed = false;

  /** Every job started by this service, oldest first, emitted on each change. */
  readonly jobs$: Observable<readonly ZipJob[]> = this.#state.asObservable();
  /** Every job started by this service, oldest first. */
  readonly jobs: Signal<readonly ZipJob[]> = toSignal(this.#state, { requireSync: true });
  /** Jobs still running. */
  readonly running: Signal<readonly ZipJob[]> = computed(() => this.jobs().filter((job) => job.status === 'running'));

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.#destroyed = true;
      this.cancelAll();
      this.#state.complete();
    });
  }

  /**
   * Starts a zip and returns its job id. Throws a TypeError at once when the request or the
   * config is invalid (no tree, no destination, bad credentials, ...).
   */
  start(request: ZipRequest): string {
    if (this.#destroyed) throw new Error('ZipJobsService was destroyed');
    const { label, ...zip } = request;
    const options: SaveZipOptions = { ...this.#config, ...zip };
    const events$ = saveZip$(options); // validates synchronously, before any job exists
    const id = `zip-${this.#nextId++}`;
    this.#state.next([
      ...this.#state.value,
      { id, label: label ?? zip.topath ?? zip.toname ?? id, status: 'running', progress: undefined, metadata: undefined, error: undefined },
    ]);
    const subscription = this.#zone.runOutsideAngular(() =>
      events$.subscribe({
        next: (event) => {
          if (event.type === 'progress') this.#update(id, { progress: event.progress });
          else this.#update(id, { status: 'saved', metadata: event.metadata });
        },
        error: (error: unknown) => {
          this.#running.delete(id);
          this.#update(id, { status: 'failed', error });
        },
        complete: () => {
          this.#running.delete(id);
        },
      }),
    );
    // A stream that ended synchronously (it cannot today) must not be kept as running.
    if (!subscription.closed) this.#running.set(id, subscription);
    return id;
  }

  /** Cancels a running job: aborts its requests and stops polling. False if it was not running. */
  cancel(id: string): boolean {
    const subscription = this.#running.get(id);
    if (subscription === undefined) return false;
    this.#running.delete(id);
    subscription.unsubscribe();
    this.#update(id, { status: 'cancelled' });
    return true;
  }

  /** Cancels every running job. */
  cancelAll(): void {
    for (const id of [...this.#running.keys()]) this.cancel(id);
  }

  /** One job as a signal; undefined for an unknown id. */
  job(id: string): Signal<ZipJob | undefined> {
    return computed(() => this.jobs().find((job) => job.id === id));
  }

  /** One job's states until it ends: completes after `saved`, `failed` or `cancelled`. */
  job$(id: string): Observable<ZipJob> {
    return this.#state.pipe(
      map((jobs) => jobs.find((job) => job.id === id)),
      filter((job): job is ZipJob => job !== undefined),
      distinctUntilChanged(),
      takeWhile((job) => job.status === 'running', true),
    );
  }

  #update(id: string, change: Partial<Omit<ZipJob, 'id'>>): void {
    this.#state.next(this.#state.value.map((job) => (job.id === id ? { ...job, ...change } : job)));
  }
}
