import { tap } from 'rxjs';
import { PCloudApiError, saveZip$, type SaveZipEvent, type SaveZipOptions, TransportError, type ZipProgress } from '../../lib/index.js';
import { collect, type Outcome } from '../support/collect.js';
import { sleep, type StallWatch, watchStalls } from '../support/wait.js';
import { type Handler, type MethodServer, startMethodServer } from './method-server.js';

const METADATA = { name: 'all.zip', path: '/out/all.zip', size: 20, isfolder: false, fileid: 9, parentfolderid: 0, contenttype: 'application/zip', id: 'f9', created: 'x', modified: 'x' };
const counts = (files: number, totalfiles: number, bytes: number, totalbytes: number): object => ({ result: 0, files, totalfiles, bytes, totalbytes });

/**
 * saveZip$ when savezip's answer is lost: over real HTTP (127.0.0.1), with savezip and
 * savezipprogress scripted apart. savezip is never sent twice (a second zip, or 2004).
 */
describe('saveZip$ without a savezip answer', () => {
  let server: MethodServer;
  // Upper bounds on wall-clock time leave out any time the process was frozen (see watchStalls).
  let stalls: StallWatch;
  beforeEach(() => {
    stalls = watchStalls();
  });
  afterEach(async () => {
    stalls.stop();
    await server.close();
  });

  const options = (extra: Partial<SaveZipOptions> = {}): SaveZipOptions => ({
    auth: 'token',
    apiUrl: server.url,
    pinServer: false,
    folderid: 1,
    topath: '/out/all.zip',
    backoff: () => 20,
    ...extra,
  });
  /** Progress that moves one file per poll through `steps`, the last repeating. */
  const progressSteps = (...steps: object[]): Handler => (reply, n) => {
    reply.json(steps[Math.min(n - 1, steps.length - 1)]!);
  };
  const moving = progressSteps(counts(0, 2, 0, 20), counts(0, 2, 0, 20), counts(1, 2, 10, 20), counts(1, 2, 10, 20), counts(2, 2, 20, 20));

  /** The outcome, or 'still running' after `ms`: a hang fails the spec instead of timing it out. */
  async function within(ms: number, outcome: Promise<Outcome<SaveZipEvent>>): Promise<Outcome<SaveZipEvent> | 'still running'> {
    return Promise.race([outcome, sleep(ms).then(() => 'still running' as const)]);
  }
  const progressOf = (outcome: Outcome<SaveZipEvent>): ZipProgress[] => outcome.values.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
  const savezipCalls = (): number => server.calls.filter((c) => c.method === 'savezip').length;

  it.each([
    [{ topath: '/out/all.zip' }, '/out/all.zip'],
    [{ topath: undefined, tofolderid: 7, toname: 'all.zip' }, 'all.zip in folder 7'],
  ])('fails after requestTimeout once progress is done and savezip never answers (%j)', async (destination, named) => {
    server = await startMethodServer({ savezip: () => undefined, savezipprogress: moving });
    let doneAt = 0;
    const source = saveZip$(options({ ...destination, requestTimeout: 300 }));
    const watched = source.pipe(
      tap((event) => {
        if (event.type === 'progress' && event.progress.done) doneAt = Date.now();
      }),
    );
    const outcome = await within(4000, collect(watched));
    const endedAt = Date.now();
    if (outcome === 'still running') throw new Error('saveZip$ still running 4 s after progress reached done: it hangs');
    expect(outcome.error).toBeInstanceOf(TransportError);
    expect(outcome.error).toMatchObject({ kind: 'timeout', method: 'savezip', transient: false });
    expect((outcome.error as Error).message).toContain(`may well exist at ${named}`);
    expect(progressOf(outcome).at(-1)).toMatchObject({ done: true });
    expect(endedAt - doneAt).toBeGreaterThanOrEqual(290);
    expect(endedAt - doneAt - stalls.stalledMs()).toBeLessThan(2000);
    // savezip was sent once and abandoned (the client closed it); nothing is sent after the end.
    expect(savezipCalls()).toBe(1);
    const sent = server.calls.length;
    await sleep(100);
    expect(server.calls.length).toBe(sent);
    expect(server.calls.find((c) => c.method === 'savezip')?.closedEarly).toBe(true);
  });

  it('keeps observing progress when the savezip connection drops mid-job, then says the zip most likely exists', async () => {
    server = await startMethodServer({
      savezip: (reply) => {
        reply.after(30, () => {
          reply.drop();
        });
      },
      savezipprogress: progressSteps(...[0, 0, 0, 0, 0, 0].map(() => counts(0, 2, 0, 20)), counts(1, 2, 10, 20), counts(1, 2, 10, 20), counts(2, 2, 20, 20)),
    });
    const outcome = await within(4000, collect(saveZip$(options())));
    if (outcome === 'still running') throw new Error('saveZip$ still running after 4 s');
    expect(outcome.error).toBeInstanceOf(TransportError);
    expect(outcome.error).toMatchObject({ method: 'savezip', kind: 'network', transient: false });
    expect((outcome.error as Error).message).toMatch(/connection was lost .*most likely exists at \/out\/all\.zip/);
    expect((outcome.error as Error).cause).toBeInstanceOf(TransportError);
    // Progress was followed to the end, and savezip never resent.
    expect(progressOf(outcome).map((p) => p.files)).toEqual([0, 1, 2]);
    expect(savezipCalls()).toBe(1);
  });

  it('fails with the savezip error when its connection drops and the job never shows up', async () => {
    server = await startMethodServer({
      savezip: (reply) => {
        reply.drop();
      },
      savezipprogress: (reply) => {
        reply.json({ result: 1901, error: 'Zip not found.' });
      },
    });
    const outcome = await within(4000, collect(saveZip$(options({ notFoundGrace: 200 }))));
    if (outcome === 'still running') throw new Error('saveZip$ still running after 4 s');
    expect(outcome.error).toMatchObject({ name: 'TransportError', kind: 'network', method: 'savezip' });
    expect(savezipCalls()).toBe(1);
  });

  it('fails with the progress error when progress fails after the savezip connection dropped', async () => {
    server = await startMethodServer({
      savezip: (reply) => {
        reply.drop();
      },
      savezipprogress: progressSteps(counts(0, 2, 0, 20), counts(0, 2, 0, 20), { result: 2000, error: 'Log in failed.' }),
    });
    const outcome = await within(4000, collect(saveZip$(options())));
    if (outcome === 'still running') throw new Error('saveZip$ still running after 4 s');
    expect(outcome.error).toBeInstanceOf(PCloudApiError);
    expect(outcome.error).toMatchObject({ code: 2000, method: 'savezipprogress' });
  });

  it('fails at once when a proxy refuses savezip (HTTP 403): pCloud never got the call', async () => {
    server = await startMethodServer({
      savezip: (reply) => {
        reply.status(403);
      },
      savezipprogress: (reply) => {
        reply.json({ result: 1901, error: 'Zip not found.' });
      },
    });
    const started = Date.now();
    const outcome = await within(4000, collect(saveZip$(options())));
    if (outcome === 'still running') throw new Error('saveZip$ still running after 4 s');
    expect(outcome.error).toMatchObject({ name: 'TransportError', kind: 'http', status: 403, method: 'savezip' });
    // Not after notFoundGrace (15 s): at once.
    expect(Date.now() - started - stalls.stalledMs()).toBeLessThan(3000);
  });

  it('computes the final event rate from the first snapshot to the end, not the last poll', async () => {
    server = await startMethodServer({
      savezip: (reply) => {
        reply.after(400, () => {
          reply.json({ result: 0, metadata: METADATA });
        });
      },
      // 3 MB in 3 files; polls see the first file, then nothing until savezip answers.
      savezipprogress: progressSteps(counts(0, 3, 0, 3e6), counts(1, 3, 1e6, 3e6)),
    });
    const outcome = await within(4000, collect(saveZip$(options({ backoff: () => 50 }))));
    if (outcome === 'still running') throw new Error('saveZip$ still running after 4 s');
    expect(outcome.error).toBeUndefined();
    const progress = progressOf(outcome);
    const [first, last, final] = [progress[0]!, progress.at(-2)!, progress.at(-1)!];
    expect(last).toMatchObject({ files: 1, done: false });
    expect(final).toMatchObject({ files: 3, bytes: 3e6, done: true, fraction: 1, etaMs: 0 });
    expect(final.bytesPerSecond).toBeCloseTo((3e6 / (final.elapsedMs - first.elapsedMs)) * 1000, 6);
    expect(final.bytesPerSecond).not.toBe(last.bytesPerSecond);
  });
});
