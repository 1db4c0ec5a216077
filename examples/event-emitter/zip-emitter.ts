/**
 * `saveZip$` for code that does not use RxJS: a Node EventEmitter with 'progress', 'saved' and
 * 'error' events, and `cancel()`.
 *
 * @example
 * const zip = startZip({ auth, folderid: 12345, topath: '/backups/photos.zip' });
 * zip.on('progress', (p) => console.log(`${Math.floor(p.fraction * 100)}%`));
 * zip.on('saved', (metadata) => console.log('saved', metadata.path));
 * zip.on('error', (error) => console.error(error));
 * // or: const [metadata] = await once(zip, 'saved'); (rejects on 'error')
 */
import { EventEmitter } from 'node:events';
import { type PCloudFileMetadata, saveZip$, type SaveZipOptions, type ZipProgress } from '../../lib/index.js';

export interface ZipEvents {
  progress: [progress: ZipProgress];
  /** Last event of a successful zip. */
  saved: [metadata: PCloudFileMetadata];
  /** Last event of a failed or cancelled zip (an `AbortError` after `cancel()`). */
  error: [error: unknown];
}

export interface ZipEmitter extends EventEmitter<ZipEvents> {
  /**
   * Stops watching: aborts the pending requests and emits 'error' with an `AbortError`, so that
   * `once(zip, 'saved')` settles. pCloud may still finish the zip server-side. No-op once settled.
   */
  cancel(reason?: unknown): void;
}

/**
 * Starts a zip (see `saveZip$`). Throws a TypeError at once on invalid options; every other
 * outcome is an event. Like any EventEmitter, an 'error' without a listener throws: listen to it.
 */
export function startZip(options: SaveZipOptions): ZipEmitter {
  const controller = new AbortController();
  const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  // Built now so that invalid options throw here, before any request.
  const zip$ = saveZip$({ ...options, signal });
  const emitter = Object.assign(new EventEmitter<ZipEvents>(), {
    cancel: (reason?: unknown) => {
      controller.abort(reason);
    },
  });
  // Subscribed on the next microtask: the caller attaches listeners first, even if an
  // already-aborted signal makes the stream fail synchronously.
  queueMicrotask(() => {
    zip$.subscribe({
      next: (event) => {
        // Other event types (a newer library's) have no event here.
        if (event.type === 'progress') emitter.emit('progress', event.progress);
        else if (event.type === 'saved') emitter.emit('saved', event.metadata);
      },
      error: (error: unknown) => {
        emitter.emit('error', error);
      },
    });
  });
  return emitter;
}
