import { defer, distinctUntilChanged, fromEvent, map, type Observable, startWith } from 'rxjs';

/**
 * Whether the page is hidden (another tab in front, window minimised), now and on every change:
 * the library's `paused` option. While it is true no progress request is sent, so a background
 * tab costs pCloud nothing; when the tab comes back, the next poll goes out at once.
 *
 * @example
 * ```ts
 * providePCloud(() => ({ apiUrl, accessToken, paused: tabHidden(inject(DOCUMENT)) }))
 * ```
 */
export function tabHidden(document: Document): Observable<boolean> {
  // defer: `hidden` is read when a job subscribes, not when the config is built.
  return defer(() =>
    fromEvent(document, 'visibilitychange').pipe(
      map(() => document.hidden),
      startWith(document.hidden),
      distinctUntilChanged(),
    ),
  );
}
