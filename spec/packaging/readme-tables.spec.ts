/**
 * README's option tables say what the code does: each table lists exactly the options the code
 * reads (the keys of the read-once snapshot of `zipProgress$`'s options, of `ADAPTIVE_DEFAULTS`,
 * of `EXPONENTIAL_DEFAULTS`), and every default the code holds as a value (POLLING_DEFAULTS,
 * ADAPTIVE_DEFAULTS, EXPONENTIAL_DEFAULTS, the connection defaults) appears in the table's
 * default column as the spec formats it (`30 000 ms`, `1 MiB`, `0.05`, `'equal'`, `Math.random`).
 * A changed default, or an option added to or removed from the code, fails here until the table
 * follows. Options without a default value in the code (`stallTimeout`: judged from the job;
 * `backoff`; `fetch`) are checked by name only. saveZip$'s own options (tree, destination,
 * `timeoffset`, `pinServer`) are prose in its section: each must be named there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADAPTIVE_DEFAULTS, DEFAULT_API_URL, EXPONENTIAL_DEFAULTS, POLLING_DEFAULTS } from '../../lib/index.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../../lib/pcloud/client.js';
import { resolveExponential } from '../../lib/poll/exponential-backoff.js';
import { readSaveZipOptions } from '../../lib/save-zip/options.js';
import { readZipProgressOptions } from '../../lib/zip-progress/options.js';

const ROOT = join(__dirname, '..', '..');

/** A Markdown table's rows as option name -> default cell, found by its first header cell. */
function optionTable(markdown: string, firstHeader: string): Map<string, string> {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^\\|\\s*${firstHeader}\\s*\\|\\s*default\\s*\\|`).test(line));
  if (start < 0) throw new Error(`no table headed "| ${firstHeader} | default |"`);
  const rows = new Map<string, string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    // Cells split on | not escaped as \|.
    const [name = '', value = ''] = line.slice(1).split(/(?<!\\)\|/).map((cell) => cell.trim());
    const option = /^`(\w+)`$/.exec(name)?.[1];
    if (option === undefined) throw new Error(`row without a \`name\`: ${line}`);
    if (rows.has(option)) throw new Error(`${option} listed twice`);
    rows.set(option, value);
  }
  return rows;
}

const group = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

/** How README writes a default value. */
function formatDefault(name: string, value: unknown): string {
  if (value === Math.random) return '`Math.random`';
  if (typeof value === 'string') return /^https?:/.test(value) ? `\`${value}\`` : `\`'${value}'\``;
  if (typeof value !== 'number') throw new Error(`${name}: no README form for ${typeof value}`);
  if (/Bytes$/.test(name)) return value % (1024 * 1024) === 0 ? `${value / (1024 * 1024)} MiB` : `${group(value)} bytes`;
  if (/Delay$|[tT]imeout$|Grace$/.test(name)) return value === Infinity ? 'none' : `${group(value)} ms`;
  return String(value);
}

/** The default cell must be the formatted value, alone or followed by a space (`0.4 (40%)`). */
function defaultsMismatch(table: Map<string, string>, defaults: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(defaults).flatMap(([name, value]) => {
    const expected = formatDefault(name, value);
    const cell = table.get(name);
    return cell === expected || cell?.startsWith(`${expected} `) === true ? [] : [`${name}: README says ${JSON.stringify(cell)}, the code ${JSON.stringify(expected)}`];
  });
}

describe('README option tables match the code', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const sorted = (names: Iterable<string>): string[] => [...names].sort();

  describe('zipProgress$ options', () => {
    const table = optionTable(readme, 'option');

    it('lists exactly the options zipProgress$ reads', () => {
      expect(sorted(table.keys())).toEqual(sorted(Object.keys(readZipProgressOptions({}))));
    });

    it('gives the defaults of POLLING_DEFAULTS and of the connection', () => {
      const defaults = { ...POLLING_DEFAULTS, apiUrl: DEFAULT_API_URL, maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES };
      expect(defaultsMismatch(table, defaults)).toEqual([]);
    });
  });

  describe('adaptiveBackoff options', () => {
    const table = optionTable(readme, 'adaptiveBackoff option');

    it('lists exactly the options of ADAPTIVE_DEFAULTS, with their defaults', () => {
      expect(sorted(table.keys())).toEqual(sorted(Object.keys(ADAPTIVE_DEFAULTS)));
      expect(defaultsMismatch(table, ADAPTIVE_DEFAULTS)).toEqual([]);
    });
  });

  describe('exponential options', () => {
    const table = optionTable(readme, 'exponential option');

    it('lists exactly the options of EXPONENTIAL_DEFAULTS, with their defaults', () => {
      expect(sorted(table.keys())).toEqual(sorted(Object.keys(EXPONENTIAL_DEFAULTS)));
      const { maxDelay, ...fixed } = EXPONENTIAL_DEFAULTS;
      expect(defaultsMismatch(table, fixed)).toEqual([]);
      // maxDelay's default follows a longer initialDelay: max(initialDelay, 5 000 ms).
      expect(table.get('maxDelay')).toBe(`max(\`initialDelay\`, ${formatDefault('maxDelay', maxDelay)})`);
      expect(resolveExponential({}).maxDelay).toBe(maxDelay);
      expect(resolveExponential({ initialDelay: maxDelay * 3 }).maxDelay).toBe(maxDelay * 3);
    });
  });

  it('the saveZip$ section names every option saveZip$ reads beyond those of zipProgress$', () => {
    const section = /### Start a zip and watch it[\s\S]*?\n### /.exec(readme)?.[0] ?? '';
    const own = Object.keys(readSaveZipOptions({})).filter((name) => !(name in readZipProgressOptions({})));
    expect(own).toEqual(expect.arrayContaining(['folderid', 'topath', 'pinServer']));
    // As `name` or in an example, `name: value`.
    expect(own.filter((name) => !new RegExp(`\`${name}[\`:]`).test(section))).toEqual([]);
  });

  it('formats values the way the tables write them', () => {
    expect(formatDefault('requestTimeout', 30_000)).toBe('30 000 ms');
    expect(formatDefault('timeout', Infinity)).toBe('none');
    expect(formatDefault('maxResponseBytes', 1024 * 1024)).toBe('1 MiB');
    expect(formatDefault('jitter', 'equal')).toBe("`'equal'`");
    expect(formatDefault('apiUrl', 'https://api.pcloud.com')).toBe('`https://api.pcloud.com`');
    expect(formatDefault('lagShare', 0.05)).toBe('0.05');
  });

  it('finds a table that disagrees with the code (the check can fail)', () => {
    const changed = readme.replace('| `minDelay` | 100 ms |', '| `minDelay` | 250 ms |').replace('| `maxRetries` | 5 |', '| `maxRetry` | 5 |');
    expect(defaultsMismatch(optionTable(changed, 'adaptiveBackoff option'), ADAPTIVE_DEFAULTS)).toEqual(['minDelay: README says "250 ms", the code "100 ms"']);
    expect(sorted(optionTable(changed, 'option').keys())).not.toEqual(sorted(Object.keys(readZipProgressOptions({}))));
  });
});
