import { DOCUMENT, inject, InjectionToken } from '@angular/core';
import type { ZipJobRef } from 'pcloud-zip-progress';

/** A running job as kept across page reloads: the card's id and label, and pCloud's reference. */
export interface StoredZipJob {
  readonly id: string;
  readonly label: string;
  readonly job: ZipJobRef;
}

/** Where `ZipJobsService` keeps the references of its running jobs. */
export interface ZipJobStore {
  /** The stored jobs; malformed entries are left out. */
  load(): StoredZipJob[];
  /** Replaces the stored jobs. */
  save(jobs: readonly StoredZipJob[]): void;
}

/** The `sessionStorage` key of the default store. */
export const ZIP_JOB_STORAGE_KEY = 'pcloud-zip-jobs';

function isRef(value: unknown): value is ZipJobRef {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as Record<string, unknown>;
  const destination = ref.destination as Record<string, unknown> | null | undefined;
  return (
    typeof ref.progresshash === 'string' &&
    typeof ref.apiUrl === 'string' &&
    typeof ref.startedAt === 'number' &&
    typeof destination === 'object' &&
    destination !== null &&
    (typeof destination.topath === 'string' || (typeof destination.tofolderid === 'number' && typeof destination.toname === 'string'))
  );
}

function isStored(value: unknown): value is StoredZipJob {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.id === 'string' && typeof entry.label === 'string' && isRef(entry.job);
}

/**
 * A store in a Web Storage area under `key`, as JSON. Storage that cannot be used (no window,
 * storage blocked by the browser's settings, quota) makes it a store that keeps nothing: the
 * jobs still run, they are just not resumed after a reload.
 */
export function webStorageJobStore(storage: () => Storage | undefined, key: string = ZIP_JOB_STORAGE_KEY): ZipJobStore {
  return {
    load: () => {
      try {
        const parsed: unknown = JSON.parse(storage()?.getItem(key) ?? '[]');
        return Array.isArray(parsed) ? parsed.filter(isStored) : [];
      } catch {
        return [];
      }
    },
    save: (jobs) => {
      try {
        if (jobs.length === 0) storage()?.removeItem(key);
        else storage()?.setItem(key, JSON.stringify(jobs));
      } catch {
        // Blocked or full: nothing to resume after a reload, nothing else lost.
      }
    },
  };
}

/**
 * The store `ZipJobsService` uses. Default: `sessionStorage`, which survives a reload of the tab
 * but is not shared with other tabs (each tab resumes only its own jobs, so no job is watched
 * twice) and is cleared when the tab closes. Provide another (`{ provide: ZIP_JOB_STORE,
 * useValue: ... }`) to keep them elsewhere, or one whose `load` returns `[]` to resume nothing.
 */
export const ZIP_JOB_STORE = new InjectionToken<ZipJobStore>('ZIP_JOB_STORE', {
  providedIn: 'root',
  factory: () => {
    // No window on the server (SSR): nothing stored, nothing resumed.
    const view = inject(DOCUMENT).defaultView;
    return webStorageJobStore(() => view?.sessionStorage);
  },
});
