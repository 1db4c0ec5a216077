/**
 * No credential leaks: every fault row, with a recognisable token sent as `auth` and as an
 * OAuth `accessToken`, and servers that echo it back. The token must appear in no error text
 * (message, toString, JSON, the whole `cause` chain, util.inspect), no emitted value, no URL
 * the server saw, nothing the emulator logged; it travels only in the POST body or the
 * Authorization header. Plain http to a remote host and redirects are refused.
 */
import { inspect } from 'node:util';
import { TransportError, zipProgress$ } from '../../lib/index.js';
import { collect } from '../support/collect.js';
import { progressBody, startScriptedServer } from '../support/scripted-server.js';
import { thrownBy } from '../support/thrown.js';
import { sleep } from '../support/wait.js';
import { ROWS } from './faults.table.js';
import { type CredentialKind, inParallel, runRow, SETTLE_MS } from './harness.js';

/**
 * Recognisable, and with characters that URL-encoding, form encoding and JSON-escaping change
 * (`/`, `~`, `!`, `(`, `)`, `*`, a Latin-1 letter: it must also fit in a header).
 */
const TOKEN = 'SeCrEt/TOKEN~q9(Zx4)!*é-leakcheck';
const KINDS: readonly CredentialKind[] = ['auth', 'accessToken'];
const JSON_FORM = JSON.stringify(TOKEN).slice(1, -1);
const FORMS = [
  TOKEN,
  encodeURIComponent(TOKEN),
  new URLSearchParams({ t: TOKEN }).toString().slice(2),
  JSON_FORM.replace(/\//g, '\\/'),
  Array.from({ length: TOKEN.length }, (_, i) => `\\u${TOKEN.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  Buffer.from(TOKEN).toString('base64'),
];

/** Every text an error exposes: message, toString, JSON, stack, the whole cause chain, inspect. */
function errorTexts(error: unknown, seen = new Set<unknown>()): string[] {
  if (error === undefined || error === null || seen.has(error)) return [];
  seen.add(error);
  const texts = [inspect(error, { depth: 0 }), JSON.stringify(error) ?? '', inspect(error, { depth: 10, showHidden: true })];
  if (error instanceof Error) {
    texts.push(error.message, error.stack ?? '', JSON.stringify(Object.entries(error)));
    texts.push(...errorTexts(error.cause, seen));
  }
  return texts;
}

const leaks = (texts: readonly string[]): string[] => texts.filter((text) => FORMS.some((form) => text.toLowerCase().includes(form.toLowerCase())));

describe('credentials never leak', () => {
  it('the leak detector finds a token planted deep in a cause chain, and in its encodings', () => {
    const deep = new Error('outer', { cause: new TypeError('middle', { cause: { note: `x=${encodeURIComponent(TOKEN)}` } }) });
    expect(leaks(errorTexts(deep))).not.toEqual([]);
    expect(leaks(errorTexts(new Error('clean')))).toEqual([]);
  });

  const cases = KINDS.flatMap((kind) => ROWS.map((row) => ({ kind, row })));

  it(`no fault row leaks the token (${cases.length} runs: ${ROWS.length} rows x ${KINDS.join(' and ')})`, async () => {
    const runs = await inParallel(
      4,
      cases.map(({ kind, row }) => async () => ({ kind, row, run: await runRow(row, kind, TOKEN) })),
    );
    const problems: string[] = [];
    for (const { kind, row, run } of runs) {
      const where = `${row.name} [${kind}]`;
      // The run did what the row says (so the error checked is the row's real error).
      if ('error' in row.expect.outcome && !(run.error instanceof row.expect.outcome.error)) problems.push(`${where}: unexpected outcome ${String(run.error)}`);
      for (const text of leaks(errorTexts(run.error))) problems.push(`${where}: error text leaks: ${text.slice(0, 200)}`);
      for (const text of leaks(run.values.map((value) => JSON.stringify(value)))) problems.push(`${where}: emission leaks: ${text}`);
      for (const text of leaks(run.serverTraces.logLines)) problems.push(`${where}: server log leaks: ${text}`);
      for (const text of leaks(run.serverTraces.urls)) problems.push(`${where}: URL leaks: ${text}`);
      const expected = kind === 'auth' ? 'body' : 'header';
      const misplaced = run.serverTraces.credentialLocations.filter((location) => location !== expected);
      if (misplaced.length > 0) problems.push(`${where}: credentials sent in ${misplaced.join(', ')}, expected only ${expected}`);
    }
    expect(problems).toEqual([]);
    // The runs really exercised the server: requests were seen and logged.
    expect(runs.some(({ run }) => run.serverTraces.logLines.length > 0)).toBe(true);
    expect(runs.filter(({ run }) => run.serverTraces.credentialLocations.length > 0).length).toBeGreaterThan(cases.length / 2);
  }, 60_000);

  it.each(KINDS)('refuses apiUrl over plain http to a non-loopback host (%s), before any request', (kind) => {
    for (const apiUrl of ['http://api.pcloud.com', 'http://10.0.0.5:8080', 'http://example.test/api']) {
      const thrown = thrownBy(() => zipProgress$({ progresshash: 'h', apiUrl, ...(kind === 'auth' ? { auth: TOKEN } : { accessToken: TOKEN }) }));
      expect(thrown).toBeInstanceOf(TypeError);
      expect(leaks(errorTexts(thrown))).toEqual([]);
    }
    // Loopback and https are fine.
    expect(() => zipProgress$({ progresshash: 'h', apiUrl: 'http://127.0.0.1:1', auth: TOKEN })).not.toThrow();
    expect(() => zipProgress$({ progresshash: 'h', apiUrl: 'https://eapi.pcloud.com', auth: TOKEN })).not.toThrow();
  });

  it.each(KINDS.flatMap((kind) => [307, 308].map((status) => [status, kind] as const)))(
    'does not follow a %i redirect to another origin (%s): fails with TransportError(redirect), the other origin receives nothing',
    async (status, kind) => {
      const origin = await startScriptedServer();
      const elsewhere = await startScriptedServer();
      try {
        elsewhere.script({ body: progressBody(1, 1, 1, 1) });
        origin.script({ status, headers: { location: `${elsewhere.url}/savezipprogress` }, body: '' });
        const outcome = await collect(
          zipProgress$({
            progresshash: 'h',
            apiUrl: origin.url,
            ...(kind === 'auth' ? { auth: TOKEN } : { accessToken: TOKEN }),
            backoff: { initialDelay: 5, maxDelay: 20, jitter: 'none' },
          }),
        );
        expect(outcome.error).toBeInstanceOf(TransportError);
        expect(outcome.error).toMatchObject({ kind: 'redirect', status, transient: false });
        expect(outcome.values).toEqual([]);
        await sleep(SETTLE_MS);
        expect(origin.requests).toHaveLength(1);
        expect(elsewhere.requests).toHaveLength(0);
        expect(leaks(errorTexts(outcome.error))).toEqual([]);
      } finally {
        await origin.close();
        await elsewhere.close();
      }
    },
  );
});
