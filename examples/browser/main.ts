/**
 * The web demo's page (`npm run demo:web`): saves a pCloud folder as a zip with `saveZip$` and
 * shows the job's progress, its result, a cancel, and errors with what to do about them.
 *
 * It imports the library source so that the e2e spec proves the main entry bundles for the
 * browser; an app would import from 'pcloud-zip-progress'. `document.body.dataset.state`
 * (idle, running, saved, cancelled, failed) lets a test wait for an outcome, and
 * `#progress-card[data-wait]` (retrying, waiting, paused) for a wait of the progress polling.
 */
import { saveZip$, type ZipProgress, type ZipWaitEvent } from '../../lib/index.js';
import { parseWebDemoConfig, type WebDemoConfig } from './config.js';
import { accountKey, ConnectionOwners } from './connection-owners.js';
import { explainError, type ZipTarget } from './explain.js';
import { formatBytes, formatDuration, formatPercent, progressTexts, waitParts } from './format.js';
import { tabHidden } from './tab-hidden.js';

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`index.html lacks #${id}`);
  return found;
}

const form = element('form', HTMLFormElement);
const modeEmulator = element('mode-emulator', HTMLInputElement);
const modeAccount = element('mode-account', HTMLInputElement);
const emulatorFields = element('emulator-fields', HTMLDivElement);
const server = element('server', HTMLDivElement);
const regionField = element('region-field', HTMLLabelElement);
const region = element('region', HTMLSelectElement);
const authField = element('auth-field', HTMLLabelElement);
const auth = element('auth', HTMLInputElement);
const authHelp = element('auth-help', HTMLElement);
const folderid = element('folderid', HTMLInputElement);
const folderHelp = element('folder-help', HTMLElement);
const topath = element('topath', HTMLInputElement);
const startButton = element('start', HTMLButtonElement);
const cancelButton = element('cancel', HTMLButtonElement);
const card = element('progress-card', HTMLElement);
const progressBody = element('progress-body', HTMLDivElement);
const phase = element('phase', HTMLSpanElement);
const percent = element('percent', HTMLSpanElement);
const bar = element('bar', HTMLProgressElement);
const waitLine = element('wait', HTMLParagraphElement);
const stats = { files: element('files', HTMLElement), bytes: element('bytes', HTMLElement), rate: element('rate', HTMLElement), eta: element('eta', HTMLElement) };
const notice = element('notice', HTMLDivElement);
const noticeTitle = element('notice-title', HTMLParagraphElement);
const noticeHint = element('notice-hint', HTMLParagraphElement);
const noticeDetails = element('notice-details', HTMLDetailsElement);
const noticeDetail = element('notice-detail', HTMLElement);

type Mode = 'emulator' | 'account';
type State = 'idle' | 'running' | 'saved' | 'cancelled' | 'failed';

/** The form's values per mode, so switching back and forth keeps what was typed. */
interface Fields {
  auth: string;
  folderid: string;
  topath: string;
}
const fields: Record<Mode, Fields> = {
  emulator: { auth: '', folderid: '', topath: '' },
  account: { auth: '', folderid: '0', topath: '/pcloud-zip-progress-demo.zip' },
};
let mode: Mode = 'emulator';
let emulator: WebDemoConfig | undefined;
let controller: AbortController | undefined;

/** localStorage, or undefined where the browser blocks it (the rule then holds until a reload). */
function localStore(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
// Without Web Crypto the account keys are the tokens themselves: kept in memory, never stored.
const owners = new ConnectionOwners(globalThis.crypto?.subtle === undefined ? undefined : localStore());

function setState(state: State): void {
  document.body.dataset.state = state;
  const running = state === 'running';
  startButton.disabled = running;
  cancelButton.disabled = !running;
  for (const input of [auth, folderid, topath, region, modeEmulator, modeAccount]) input.disabled = running;
  if (emulator === undefined) modeEmulator.disabled = true;
}

function showNotice(kind: 'ok' | 'bad' | 'info', title: string, hint: string, detail?: string): void {
  notice.className = `notice ${kind}`;
  // An error interrupts; a success or a cancel is announced politely.
  notice.setAttribute('role', kind === 'bad' ? 'alert' : 'status');
  noticeTitle.textContent = title;
  noticeHint.textContent = hint;
  noticeDetail.textContent = detail ?? '';
  noticeDetails.hidden = detail === undefined;
  notice.hidden = false;
}

function render(progress: ZipProgress): void {
  const texts = progressTexts(progress);
  bar.value = progress.fraction;
  percent.textContent = texts.percent;
  stats.files.textContent = texts.files;
  stats.bytes.textContent = texts.bytes;
  stats.rate.textContent = texts.rate;
  stats.eta.textContent = texts.eta;
  // A status region: rewritten only when it changes, or a screen reader may repeat it each poll.
  const next = progress.done ? 'Saving the zip…' : 'Zipping…';
  if (phase.textContent !== next) phase.textContent = next;
}

let countdown: ReturnType<typeof setInterval> | undefined;

/** Back to the plain bar: the wait line hidden, its countdown stopped. Idempotent. */
function endWait(): void {
  if (countdown === undefined && card.dataset.wait === undefined) return; // no wait: leave the DOM alone
  clearInterval(countdown);
  countdown = undefined;
  waitLine.hidden = true;
  waitLine.textContent = '';
  progressBody.classList.remove('waiting');
  delete card.dataset.wait;
}

/**
 * A wait of the progress polling, until the next event: the bar stays at its last value, dimmed,
 * and a retry counts down its delay every second (down to "retrying now").
 */
function showWait(event: Exclude<ZipWaitEvent, { type: 'resumed' }>, host: string): void {
  endWait();
  const until = performance.now() + (event.type === 'retrying' ? event.delayMs : 0);
  // The line is a polite live region: only the countdown changes each second, and it is
  // aria-hidden, so a screen reader announces the reason and the attempt once per event.
  const { head, tail } = waitParts(event, until - performance.now(), host);
  const ticking = document.createElement('span');
  ticking.className = 'countdown';
  ticking.setAttribute('aria-hidden', 'true');
  waitLine.replaceChildren(head, ticking, tail);
  const paint = (): void => {
    const left = until - performance.now();
    ticking.textContent = waitParts(event, left, host).countdown;
    if (left <= 0) {
      clearInterval(countdown);
      countdown = undefined;
    }
  };
  paint();
  // endWait() above stopped any earlier countdown.
  if (event.type === 'retrying' && until > performance.now()) countdown = setInterval(paint, 1000);
  card.dataset.wait = event.type;
  // Nobody knows the time left during a wait: the last ETA would go stale by the whole wait. The
  // answer that ends it brings a fresh one (the library re-reads it even if nothing moved).
  stats.eta.textContent = '—';
  progressBody.classList.add('waiting');
  waitLine.hidden = false;
}

function resetProgress(): void {
  endWait();
  card.hidden = false;
  progressBody.hidden = false;
  notice.hidden = true;
  bar.value = 0;
  bar.removeAttribute('value'); // indeterminate until pCloud reports the first counts
  percent.textContent = '0%';
  for (const stat of Object.values(stats)) stat.textContent = '—';
  phase.textContent = 'Starting the zip…';
  card.dataset.progressEvents = '0';
}

/** `/demo.zip` -> `/demo-2.zip` -> `/demo-3.zip`: the next run does not collide with this one. */
function nextPath(path: string): string {
  const match = /^(.*?)(?:-(\d+))?(\.zip)?$/i.exec(path);
  if (match === null) return path;
  const [, stem = path, n, ext = ''] = match;
  return `${stem}-${n === undefined ? 2 : Number(n) + 1}${ext}`;
}

function apiUrl(): string {
  return mode === 'emulator' && emulator !== undefined ? emulator.apiUrl : region.value;
}

/** Bad form input, said before any request. */
function formProblem(): { title: string; hint: string } | undefined {
  if (auth.value.trim() === '') return { title: 'Auth token missing', hint: mode === 'account' ? 'Paste the auth token of your pCloud account.' : 'Reload the page to get the demo token.' };
  if (!/^\d+$/.test(folderid.value.trim())) return { title: 'Invalid folder id', hint: 'Enter a folder id: a whole number, 0 for the root folder.' };
  if (!/^\/.*[^/]$/.test(topath.value.trim())) return { title: 'Invalid destination', hint: 'Give a full path ending in a file name, such as /backups/photos.zip.' };
  return undefined;
}

function start(): void {
  controller?.abort();
  resetProgress();
  const problem = formProblem();
  if (problem !== undefined) {
    progressBody.hidden = true;
    showNotice('bad', problem.title, problem.hint);
    setState('failed');
    return;
  }
  const own = new AbortController();
  controller = own;
  setState('running');
  void checkAccountThenRun(own);
}

/**
 * One account per connection: pCloud acts as the first account that logged in on a connection,
 * and the browser keeps its connections to a host open across reloads. A token of another
 * account than the one that last used this host waits until those connections have closed.
 */
async function checkAccountThenRun(own: AbortController): Promise<void> {
  const token = auth.value.trim();
  const origin = new URL(apiUrl()).origin;
  const account = (await accountKey(token)) ?? token;
  if (controller !== own) return; // cancelled while hashing
  const wait = owners.waitBefore(origin, account);
  if (wait > 0) {
    controller = undefined;
    progressBody.hidden = true;
    showNotice(
      'bad',
      'Another account used this server moments ago',
      `pCloud runs every request on a connection as the first account that logged in on it, and this browser keeps its connections to ${new URL(origin).host} open for minutes, even across a reload. Start this account's zip in ${formatDuration(wait)}, or use the previous account until then, or open this page in a private window.`,
    );
    setState('failed');
    return;
  }
  owners.use(origin, account);
  run(own, account);
}

function run(own: AbortController, account: string): void {
  const target: ZipTarget = { apiUrl: apiUrl(), topath: topath.value.trim(), emulator: mode === 'emulator' };
  const origin = new URL(target.apiUrl).origin;
  // The connections stay open after the run: their idle time counts from its end.
  const ended = (): void => {
    owners.use(origin, account);
  };
  const started = performance.now();
  let events = 0;
  // No progress requests while the tab is hidden: pCloud zips on, the page asks again when shown.
  const paused = tabHidden(document);
  // The host the polls go to (the job's, once started: it may be another than the form's).
  let host = new URL(target.apiUrl).host;
  const subscription = saveZip$({ apiUrl: target.apiUrl, auth: auth.value.trim(), folderid: Number(folderid.value), topath: target.topath, signal: own.signal, paused }).subscribe({
    next: (event) => {
      switch (event.type) {
        case 'started':
          host = new URL(event.job.apiUrl).host;
          return;
        case 'retrying':
        case 'waiting':
        case 'paused':
          showWait(event, host);
          return;
        case 'resumed':
          endWait();
          return;
        case 'progress':
          endWait();
          events += 1;
          card.dataset.progressEvents = String(events);
          render(event.progress);
          return;
        default:
          if (event.type !== 'saved') return; // a type added to the library later: not shown
      }
      endWait();
      ended();
      const { metadata } = event;
      bar.value = 1;
      percent.textContent = formatPercent(1);
      stats.eta.textContent = 'done';
      phase.textContent = 'Done';
      showNotice('ok', `Saved ${metadata.path ?? target.topath}`, `${formatBytes(metadata.size)} zip, file id ${metadata.fileid}, in ${formatDuration(performance.now() - started)}.`);
      topath.value = nextPath(target.topath);
      setState('saved');
    },
    error: (error: unknown) => {
      endWait();
      ended();
      if (controller === own) controller = undefined;
      if (error instanceof Error && error.name === 'AbortError') {
        phase.textContent = 'Stopped';
        if (!bar.hasAttribute('value')) bar.value = 0;
        showNotice('info', 'Zip cancelled', 'Polling stopped and the open request was aborted. Start again whenever you like.');
        setState('cancelled');
        return;
      }
      const explained = explainError(error, target);
      phase.textContent = 'Failed';
      if (!bar.hasAttribute('value')) bar.value = 0;
      showNotice('bad', explained.title, explained.hint, explained.detail);
      setState('failed');
    },
    complete: () => {
      if (controller === own) controller = undefined;
    },
  });
  // Whatever ends the run (saved, an error, a cancel), no countdown keeps ticking.
  subscription.add(endWait);
}

/** Shows a mode's fields, help texts and values. */
function show(next: Mode): void {
  mode = next;
  ({ auth: auth.value, folderid: folderid.value, topath: topath.value } = fields[next]);
  emulatorFields.hidden = next !== 'emulator';
  authField.classList.toggle('wide', next === 'emulator');
  regionField.hidden = next !== 'account';
  authHelp.textContent = next === 'emulator' ? 'Filled in by the demo server.' : 'Your pCloud auth token; it is only sent to pCloud.';
  folderHelp.textContent = next === 'emulator' && emulator !== undefined ? `${emulator.folderPath}: ${emulator.files} files, ${formatBytes(emulator.bytes)}.` : '0 is the root folder.';
  auth.placeholder = next === 'account' ? 'Paste your token' : '';
  card.hidden = true;
}

/** Keeps what was typed in the mode being left, then shows the other one. */
function switchMode(next: Mode): void {
  fields[mode] = { auth: auth.value, folderid: folderid.value, topath: topath.value };
  show(next);
}

async function loadEmulator(): Promise<void> {
  try {
    const response = await fetch('./config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    emulator = parseWebDemoConfig(await response.json());
    fields.emulator = { auth: emulator.auth, folderid: String(emulator.folderid), topath: emulator.topath };
    server.textContent = `pCloud emulator at ${emulator.apiUrl}`;
    show('emulator');
  } catch {
    // Served by something other than `npm run demo:web`: only a real account can be used.
    server.textContent = 'No demo emulator: this page was not served by npm run demo:web.';
    modeAccount.checked = true;
    show('account');
  }
  setState('idle');
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  start();
});
cancelButton.addEventListener('click', () => {
  controller?.abort();
});
for (const radio of [modeEmulator, modeAccount]) {
  radio.addEventListener('change', () => {
    if (radio.checked) switchMode(radio.value === 'account' ? 'account' : 'emulator');
  });
}
setState('idle');
void loadEmulator();
