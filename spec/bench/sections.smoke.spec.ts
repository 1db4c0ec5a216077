import type { BenchSection } from './section.js';
import { run as overhead } from './overhead.js';
import { measureSection as scale } from './scale.js';
import { run as size } from './size.js';

/**
 * Each benchmark section still runs and still prints its targets. Figures are not asserted: in
 * smoke mode, on a shared CI machine, they say nothing about the library.
 */

/** A markdown table: header, separator, at least one row; every row with the same cell count. */
function expectTable(section: BenchSection, targets: readonly string[]): void {
  const rows = section.table.split('\n');
  expect(rows.length).toBeGreaterThanOrEqual(3);
  expect(rows[1]).toMatch(/^\|(-+\|)+$/);
  const cells = (row: string): number => row.split('|').length;
  for (const row of rows) expect(cells(row)).toBe(cells(rows[0]!));
  expect(rows[0]).toMatch(/\| target \|/);
  for (const target of targets) expect(section.table).toContain(target);
  expect(typeof section.passed).toBe('boolean');
}

describe('benchmark sections (smoke)', () => {
  it('per-poll overhead: the ratio to the ky loop against 1.10x, the fetch loop for information', async () => {
    const section = await overhead({ smoke: true });
    expect(section.title).toBe('Per-poll overhead');
    expectTable(section, ['<= 1.10x', 'same loop written by hand over ky', 'hand-written fetch loop', 'traceZipProgress, no SDK registered']);
    // Six pollers (three of them the OpenTelemetry rows), each starting its own job: over the
    // default 20 s on a loaded CI machine.
  }, 90_000);

  // Two child processes (1 account, then 10), each starting tsx and a server.
  it('scale: heap, event-loop delay and polls with targets; one pool per account while waiting, none after the sweep', async () => {
    const { section, loads } = await scale({ smoke: true });
    expect(section.title).toBe('Scale in one process');
    expectTable(section, ['< 4.00 KB', '< 50 ms', 'polls per second', '200 waiting subscriptions', '1 account,', '10 accounts,', '= accounts']);
    // Not figures but properties of the Node entry's transport, which hold at any size.
    expect(loads.map((l) => [l.plan.accounts, l.poolsWhileWaiting, l.mixedConnections])).toEqual([[1, 1, 0], [10, 10, 0]]);
    for (const load of loads) {
      expect(load.errors).toBe(0);
      expect(load.socketsWhileWaiting).toBeGreaterThan(0);
      expect(load.requestsDuringSweep).toBe(0);
      expect([load.poolsAfterSweep, load.socketsAfterSweep]).toEqual([0, 0]);
    }
  }, 120_000);

  it('size: the zipProgress$ bundle against 12 KB, references, no Node built-in', async () => {
    const section = await size({ smoke: true });
    expect(section.title).toBe('Bundle size');
    expectTable(section, ['<= 12.00 KB gzip', "import ky from 'ky'", 'io-ts', 'Node built-ins']);
    // Not a figure but a property: a browser bundle that needs a Node built-in is broken.
    expect(section.table).toMatch(/Node built-ins in the zipProgress\$ graph \| none \|/);
  });
});
