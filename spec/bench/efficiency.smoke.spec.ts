import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './efficiency.js';
import { FEW_BIG_FILES, generateJobs, MANY_TINY_FILES, MIXES } from './mixes.js';

/**
 * The poll-efficiency section at a small size: every mix (one seed, 6 jobs each), every family
 * of schedules, the replay checked against zipProgress$ itself, the charts. Fake time and
 * fixed seeds: the figures are deterministic, but only properties are asserted here.
 */
describe('bench: poll efficiency (smoke)', () => {
  let chartsDir: string;
  beforeAll(async () => {
    chartsDir = await mkdtemp(join(tmpdir(), 'bench-charts-'));
  });
  afterAll(async () => {
    await rm(chartsDir, { recursive: true, force: true });
  });

  it("prints every mix's worst case beside the targets, a table per mix, and the replay agrees with zipProgress$", async () => {
    const section = await run({ smoke: true, chartsDir });
    expect(section.title).toBe('Poll efficiency');
    const rows = section.table.split('\n');
    expect(rows[0]).toBe('| default schedule, worst seed of each mix | mixed | few-big | many-tiny | target |');
    const targets: readonly (readonly [string, string])[] = [
      ['jobs failed', '0'],
      ['jobs on time', '>= 95.0%'],
      ['lag p50', '<= 250 ms'],
      ['longest gap between polls while running', '<= 5.0 s'],
      ['requests vs fixed 2 s', '<= 60.0%'],
    ];
    for (const [what, target] of targets) {
      expect(rows.find((row) => row.startsWith(`| ${what} |`))).toMatch(new RegExp(`\\| ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\|$`));
    }
    // The replay of the poll loop matched zipProgress$ on every sampled (job, schedule) pair.
    const check = /\| replay = zipProgress\$ .*? \| (\d+) of (\d+) identical \|/.exec(section.table);
    expect(check).not.toBeNull();
    expect(Number(check![2])).toBeGreaterThan(0);
    expect(check![1]).toBe(check![2]);
    // ... and the sample holds pairs whose stall guard fires (jobs of 15 min or more), so the
    // replay's stall rule is checked too, not only its schedule.
    const stall = /\((\d+) of these pairs last 15 min or more/.exec((section.notes ?? []).join('\n'));
    expect(stall).not.toBeNull();
    expect(Number(stall![1])).toBeGreaterThan(0);

    for (const mix of MIXES) {
      const start = rows.indexOf(rows.find((row) => row.startsWith(`**${mix.key}**`))!);
      expect(start).toBeGreaterThan(0);
      const table = rows.slice(start + 4, rows.indexOf('', start + 4) === -1 ? undefined : rows.indexOf('', start + 4));
      const cells = (name: string): string[] => {
        const row = table.find((line) => line.startsWith(`| ${name}`));
        expect(row).toBeDefined();
        return row!.split('|').map((cell) => cell.trim());
      };
      for (const name of ['**this library', 'adaptive, lagShare', 'elapsed share', 'fixed 200 ms', 'fixed 1 s', 'AWS waiter', 'google-gax', 'backoff-rxjs', 'ceiling']) cells(name);
      // Column 2: requests per job. The default needs fewer than fixed 2 s on every mix.
      expect(Number(cells('**this library')[2])).toBeLessThan(Number(cells('fixed 2 s')[2]));
    }
  }, 60_000);

  it('writes both charts as SVG, one panel per mix', async () => {
    for (const file of ['trade-off.svg', 'lag.svg']) {
      const svg = await readFile(join(chartsDir, file), 'utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg.trimEnd()).toMatch(/<\/svg>$/);
      for (const mix of MIXES) expect(svg).toContain(`>${mix.key}</text>`);
    }
  });
});

describe('bench: job mixes', () => {
  it.each(MIXES.map((mix) => [mix.key, mix] as const))('%s: the same jobs for the same seed, durations within 0.5 s .. 60 min', (_, mix) => {
    const jobs = generateJobs(mix, mix.seeds[0]!, 20);
    expect(generateJobs(mix, mix.seeds[0]!, 20).map((j) => j.endMs)).toEqual(jobs.map((j) => j.endMs));
    for (const job of jobs) {
      expect(job.endMs).toBeGreaterThanOrEqual(500 - 1e-6);
      expect(job.endMs).toBeLessThanOrEqual(60 * 60_000 + 1e-6);
      expect(job.answerAt(job.endMs)).toMatchObject({ result: 0, files: job.totalfiles, bytes: job.totalbytes });
      expect(job.shape.sizes.reduce((a, b) => a + b, 0)).toBe(job.totalbytes);
    }
  });

  it('few big files: at most 6 files, one of them at least 70% of the bytes, first or last', () => {
    for (const job of generateJobs(FEW_BIG_FILES, 31, 50)) {
      const { sizes } = job.shape;
      expect(sizes.length).toBeLessThanOrEqual(6);
      const big = Math.max(...sizes);
      if (sizes.length > 1) expect([sizes[0], sizes.at(-1)]).toContain(big);
      expect(big / job.totalbytes).toBeGreaterThanOrEqual(0.7);
    }
  });

  it('many tiny files: 200 or more files, none above a tenth of the bytes', () => {
    for (const job of generateJobs(MANY_TINY_FILES, 51, 20)) {
      expect(job.totalfiles).toBeGreaterThanOrEqual(200);
      expect(Math.max(...job.shape.sizes) / job.totalbytes).toBeLessThan(0.1);
    }
  });
});
