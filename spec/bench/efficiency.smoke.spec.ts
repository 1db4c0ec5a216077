import { run } from './efficiency.js';

/**
 * The poll-efficiency section on 20 simulated jobs, in fake time (no wall-clock asserts). It
 * takes a few seconds of CPU (about 9 000 polls through zipProgress$), hence the generous
 * timeout for loaded machines.
 */
describe('bench: poll efficiency (smoke)', () => {
  it('produces the table, with targets, and the default needs fewer requests than fixed 2 s', async () => {
    const section = await run({ smoke: true });
    expect(section.title).toBe('Poll efficiency');
    const rows = section.table.split('\n');
    const cells = (name: string): string[] => {
      const row = rows.find((line) => line.startsWith(`| ${name}`));
      expect(row).toBeDefined();
      return row!.split('|').map((cell) => cell.trim());
    };
    const ours = cells('this library (default, adaptive)');
    const fixed2s = cells('fixed 2 s (@azure/core-lro)');
    for (const name of ['fixed 200 ms', 'fixed 1 s', 'AWS waiter', 'google-gax', 'backoff-rxjs']) cells(name);
    // Column 2: requests per job (mean).
    expect(Number(ours[2])).toBeGreaterThan(0);
    expect(Number(ours[2])).toBeLessThan(Number(fixed2s[2]));
    // Every target is printed beside its figure.
    expect(section.table).toMatch(/\| jobs on time \| [\d.]+% \| >= 95\.0% \|/);
    expect(section.table).toMatch(/\| requests vs fixed 2 s \| [\d.]+% \| <= 60\.0% \|/);
    expect(section.table).toMatch(/\| longest gap between polls while running \| .+ \| <= 5\.0 s \|/);
    expect(section.notes?.length).toBeGreaterThan(0);
  }, 60_000);
});
