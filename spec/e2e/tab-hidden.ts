import type { Page } from 'playwright-core';

/**
 * Run in the page: makes it believe its tab is hidden (or shown again), as a switch of tabs does:
 * overrides `document.hidden` and `visibilityState`, then fires `visibilitychange`. The same in
 * every engine (headless browsers do not hide a tab by themselves).
 */
export function setVisibilityInPage(hidden: boolean): void {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  document.dispatchEvent(new Event('visibilitychange'));
}

/** {@link setVisibilityInPage} in a playwright page. */
export async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(setVisibilityInPage, hidden);
}
