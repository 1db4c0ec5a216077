/**
 * The fault matrix (rows in faults.table.ts), each over real HTTP: exact emissions, exact
 * ending (complete once, or one error of the right class and code), the exact number of
 * requests, and nothing sent after the end.
 */
import { ROWS, type Row } from './faults.table.js';
import { countsOf, runRow } from './harness.js';

const TOKEN = 'matrix-token-7f3a9c';

function outcomeOf(row: Row, run: Awaited<ReturnType<typeof runRow>>): void {
  const { outcome } = row.expect;
  if ('complete' in outcome) {
    expect(run.error).toBeUndefined();
    expect(run.completions).toBe(1);
    expect(run.errors).toBe(0);
    // Completion only right after a done snapshot.
    expect(run.values.at(-1)?.done).toBe(true);
  } else {
    expect(run.completions).toBe(0);
    expect(run.errors).toBe(1);
    expect(run.error).toBeInstanceOf(outcome.error);
    expect(run.error).toMatchObject(outcome.match);
  }
}

describe('fault matrix', () => {
  it('has rows in every group', () => {
    const groups = new Set(ROWS.map((row) => row.group));
    expect([...groups].sort()).toEqual(['bad body', 'fatal', 'odd progress', 'timing', 'transient']);
    expect(new Set(ROWS.map((row) => row.name)).size).toBe(ROWS.length);
  });

  it.each(ROWS.map((row) => [row.name, row] as const))('row: %s', async (_name, row) => {
    const run = await runRow(row, 'auth', TOKEN);
    expect(run.values.map(countsOf)).toEqual(row.expect.emits);
    // Never done before the end: every snapshot but the last is not done.
    expect(run.values.slice(0, -1).filter((p) => p.done)).toEqual([]);
    for (const p of run.values) expect(p.done).toBe(p.files >= p.totalfiles);
    outcomeOf(row, run);
    expect(run.afterEnd).toBe(0);
    expect(run.requestsAfterSettle).toBe(row.expect.requests);
    // Nothing sent after the end: not by the client, not seen by the server.
    expect(run.fetchesAfterEnd).toBe(0);
    expect(run.requestsAtEnd).toBe(run.requestsAfterSettle);
    expect(row.expect.check?.(run.facts) ?? []).toEqual([]);
  });
});
