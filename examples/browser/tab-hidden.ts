/** The page's visibility as the library's `paused` option. */
import { defer, distinctUntilChanged, fromEvent, map, type Observable, startWith } from 'rxjs';

/**
 * Whether the page is hidden (another tab in front, window minimised), now and on every change.
 * Given as `paused`, no progress request goes out while the tab is hidden, and the next one goes
 * out at once when it is shown again.
 */
export function tabHidden(document: Document): Observable<boolean> {
  // defer: `hidden` is read when the job subscribes, not when this is called.
  return defer(() =>
    fromEvent(document, 'visibilitychange').pipe(
      map(() => document.hidden),
      startWith(document.hidden),
      distinctUntilChanged(),
    ),
  );
}
