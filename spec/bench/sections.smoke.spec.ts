import type { BenchSection } from './section.js';
import { run as overhead } from './overhead.js';
import { run as scale } from './scale.js';
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
    expectTable(section, ['<= 1.10x', 'same loop written by hand over ky', 'hand-written fetch loop']);
  });

  it('scale: heap per subscription, event-loop delay p99 and polls per second with targets', async () => {
    const section = await scale({ smoke: true });
    expect(section.title).toBe('Scale in one process');
    expectTable(section, ['< 4.00 KB', '< 50 ms', 'polls per second', '500 waiting subscriptions']);
  });

  it('size: the zipProgress$ bundle against 12 KB, references, no Node built-in', async () => {
    const section = await size({ smoke: true });
    expect(section.title).toBe('Bundle size');
    expectTable(section, ['<= 12.00 KB gzip', "import ky from 'ky'", 'io-ts', 'Node built-ins']);
    // Not a figure but a property: a browser bundle that needs a Node built-in is broken.
    expect(section.table).toMatch(/Node built-ins in the zipProgress\$ graph \| none \|/);
  });
});
