/**
 * The few things the cross-engine e2e specs do with a browser, whatever drives it: Chromium
 * through playwright-core (CDP), Firefox through puppeteer-core (WebDriver BiDi), WebKit through
 * WebKitWebDriver (classic WebDriver over plain HTTP). One small surface, so a spec is written once
 * and run in each engine with `describe.each(ENGINES)`.
 */

/** A function run inside the page: it must not use anything from the spec's scope. */
export type PageFunction<A, R> = (arg: A) => R | Promise<R>;

/** One open page (a tab, or WebKit's one window). */
export interface EnginePage {
  goto(url: string): Promise<void>;
  /** Runs `fn(arg)` in the page (arg and result as JSON), awaiting a returned promise. */
  evaluate<A, R>(fn: PageFunction<A, R>, arg: A): Promise<R>;
  /** A real click (input events) on the first element matching `selector`. */
  click(selector: string): Promise<void>;
  /** Replaces the text of the input matching `selector`, typed as a person would. */
  fill(selector: string, value: string): Promise<void>;
  /** A PNG of the page at `path`. */
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface EngineBrowser {
  newPage(): Promise<EnginePage>;
  close(): Promise<void>;
}

export interface Engine {
  /** 'chromium', 'firefox' or 'webkit': also the screenshot folder under .tmp/e2e/. */
  readonly name: string;
  /** Why this engine cannot start here (what to install), or undefined when it can. */
  missing(): string | undefined;
  launch(): Promise<EngineBrowser>;
}
