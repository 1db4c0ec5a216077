import type { Page } from 'playwright-core';

/**
 * Makes the page believe its tab is hidden (or shown again), as a switch of tabs does: overrides
 * `document.hidden` and `visibilityState`, then fires `visibilitychange`.
 */
export async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
