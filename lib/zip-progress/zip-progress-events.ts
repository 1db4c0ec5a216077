import { Observable } from 'rxjs';
import { type ZipProgressEvent, waitEvent } from './events.js';
import type { ZipProgressOptions } from './options.js';
import { observeZipProgress } from './watch.js';
import { resolveZipWatch } from './zip-progress.js';

/**
 * `zipProgress$` with its waits told: the same polling, options, errors and completion, but each
 * snapshot comes as `{ type: 'progress', progress }`, and each wait as it starts as a
 * {@link ZipWaitEvent} (`retrying` after a failed poll, `waiting` for the job to register,
 * `paused` / `resumed`), the events `saveZip$` emits too. After a wait, the first answer emits
 * `progress` even when nothing changed (the same counts, with `elapsedMs`, rate and ETA read
 * then), so a UI can leave its "Reconnecting…" state. Like Angular's `HttpClient` with
 * `observe: 'events'`: a UI can say "Connection lost. Retrying in 12 s" instead of looking frozen.
 *
 * A sibling of `zipProgress$` rather than an option of it, so `zipProgress$` keeps its type and
 * what it emits. Events stop when the stream ends or you unsubscribe.
 *
 * @throws TypeError synchronously, before any request, when an option is invalid.
 *
 * @example
 * ```ts
 * import { zipProgressEvents$ } from 'pcloud-zip-progress';
 *
 * zipProgressEvents$({ progresshash, auth: token }).subscribe((event) => {
 *   if (event.type === 'progress') bar.update(event.progress.fraction);
 *   else if (event.type === 'retrying') console.log(`${event.error.name}: retrying in ${Math.ceil(event.delayMs / 1000)} s (attempt ${event.attempt})`);
 *   else if (event.type === 'waiting') console.log('waiting for pCloud to start the job');
 * });
 * ```
 */
export function zipProgressEvents$(options: ZipProgressOptions): Observable<ZipProgressEvent> {
  if (typeof options !== 'object' || options === null) throw new TypeError('zipProgressEvents$ needs an options object');
  const [progresshash, connection, polling] = resolveZipWatch(options);
  return new Observable<ZipProgressEvent>((subscriber) =>
    observeZipProgress(progresshash, connection, polling, (wait) => {
      subscriber.next(waitEvent(wait));
    }).subscribe({
      next: (progress) => {
        subscriber.next({ type: 'progress', progress });
      },
      error: (error: unknown) => {
        subscriber.error(error);
      },
      complete: () => {
        subscriber.complete();
      },
    }),
  );
}
