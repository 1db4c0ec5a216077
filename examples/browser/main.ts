/**
 * Browser demo: saves a pCloud folder as a zip with `saveZip$` and renders its progress.
 *
 * It imports the library source so that the e2e spec proves the main entry bundles for the
 * browser; an app would import from 'pcloud-zip-progress'. `window.zipDemo` lets a test (or the
 * console) start a zip and cancel it without going through the form.
 */
import { saveZip$, type ExponentialBackoffOptions, type ZipProgress } from '../../lib/index.js';

/** What a zip needs; `backoff` lets the spec poll faster than the default schedule. */
export interface DemoConfig {
  readonly apiUrl: string;
  readonly auth: string;
  readonly folderid: number;
  readonly topath: string;
  readonly backoff?: ExponentialBackoffOptions;
}

export type DemoResult =
  | { readonly status: 'saved'; readonly path: string; readonly size: number }
  | { readonly status: 'aborted' }
  | { readonly status: 'failed'; readonly error: string };

export interface ZipDemo {
  /** Starts a zip (cancelling any running one); settles when it is saved, aborted or failed. */
  start(config: DemoConfig): Promise<DemoResult>;
  /** Aborts the running zip through its AbortController; no request is sent afterwards. */
  abort(): void;
  /** Progress events rendered by the current zip (lets a test abort mid-job). */
  readonly progressEvents: number;
}

declare global {
  interface Window {
    zipDemo: ZipDemo;
  }
}

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`index.html lacks #${id}`);
  return found;
}

const bar = element('bar', HTMLProgressElement);
const status = element('status', HTMLOutputElement);
const result = element('result', HTMLParagraphElement);
const form = element('form', HTMLFormElement);
const cancel = element('cancel', HTMLButtonElement);

function render(progress: ZipProgress): void {
  bar.value = progress.fraction;
  // floor: "100%" must mean done, never 99.6% rounded up.
  status.textContent = `${Math.floor(progress.fraction * 100)}% (${progress.files}/${progress.totalfiles} files)`;
}

let controller: AbortController | undefined;
let progressEvents = 0;

function start(config: DemoConfig): Promise<DemoResult> {
  controller?.abort();
  const own = new AbortController();
  controller = own;
  progressEvents = 0;
  bar.value = 0;
  status.textContent = 'starting';
  result.textContent = '';
  cancel.disabled = false;
  const { backoff, ...rest } = config;
  return new Promise<DemoResult>((resolve) => {
    const finish = (outcome: DemoResult, text: string): void => {
      if (controller === own) cancel.disabled = true;
      result.textContent = text;
      resolve(outcome);
    };
    saveZip$({ ...rest, ...(backoff === undefined ? {} : { backoff }), signal: own.signal }).subscribe({
      next: (event) => {
        if (event.type === 'progress') {
          progressEvents += 1;
          render(event.progress);
        } else {
          const path = event.metadata.path ?? config.topath;
          finish({ status: 'saved', path, size: event.metadata.size }, `saved ${path} (${event.metadata.size} bytes)`);
        }
      },
      error: (error: unknown) => {
        if (error instanceof Error && error.name === 'AbortError') {
          status.textContent = 'cancelled';
          finish({ status: 'aborted' }, 'cancelled');
          return;
        }
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        status.textContent = 'failed';
        finish({ status: 'failed', error: message }, message);
      },
    });
  });
}

window.zipDemo = {
  start,
  abort: () => {
    controller?.abort();
  },
  get progressEvents() {
    return progressEvents;
  },
};

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const field = (name: string): string => {
    const value = data.get(name);
    return typeof value === 'string' ? value : '';
  };
  void start({ apiUrl: field('apiUrl'), auth: field('auth'), folderid: Number(field('folderid')), topath: field('topath') });
});
cancel.addEventListener('click', () => {
  window.zipDemo.abort();
});
