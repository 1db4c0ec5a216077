import { finalProgress, type ZipJobProgress } from '../../examples/worker/worker.js';

describe('finalProgress (a successful job, whichever way it succeeded)', () => {
  const midway: ZipJobProgress = { state: 'running', fraction: 0.012, files: 1, totalfiles: 80, bytes: 12_000, totalbytes: 1_000_000, etaMs: 90_000, attempt: 1, worker: 'A' };

  it('is done, with the totals of the latest progress, from this attempt or an earlier one', () => {
    expect(finalProgress(midway, 2, 'B')).toEqual({ state: 'done', fraction: 1, files: 80, totalfiles: 80, bytes: 1_000_000, totalbytes: 1_000_000, etaMs: 0, attempt: 2, worker: 'B' });
  });

  it.each([[undefined], [0], [{}], [{ fraction: 0.5, totalfiles: null, totalbytes: null }]])('is done with unknown counts when the latest progress is %j', (latest) => {
    expect(finalProgress(latest, 3, 'C')).toEqual({ state: 'done', fraction: 1, files: null, totalfiles: null, bytes: null, totalbytes: null, etaMs: 0, attempt: 3, worker: 'C' });
  });
});
