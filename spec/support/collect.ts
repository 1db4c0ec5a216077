import type { Observable } from 'rxjs';

/** How a stream ended, with everything it emitted. */
export interface Outcome<T> {
  values: T[];
  completed: boolean;
  error: unknown;
}

/** Subscribes and resolves when the stream ends. */
export function collect<T>(source: Observable<T>): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const values: T[] = [];
    source.subscribe({
      next: (v) => values.push(v),
      complete: () => { resolve({ values, completed: true, error: undefined }); },
      error: (error: unknown) => { resolve({ values, completed: false, error }); },
    });
  });
}
