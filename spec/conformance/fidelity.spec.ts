import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The fidelity table (spec/conformance/fidelity.md) names a source, or "unverified", for every
 * result code the emulator answers. This reads the codes from the emulator's sources, so a new
 * `new ApiError(2999)`, a new code passed to a helper, or a new text without a row fails here.
 */
const TESTING = join(__dirname, '../../lib/testing');
const TABLE = readFileSync(join(__dirname, 'fidelity.md'), 'utf8');

/** Every result code the emulator's sources can answer. */
function emulatorCodes(): Set<number> {
  const codes = new Set<number>();
  for (const file of readdirSync(TESTING).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(TESTING, file), 'utf8');
    // `new ApiError(2005)`, `new ApiError(kind === 'auth' ? 2000 : 2094)`.
    for (const [, args] of source.matchAll(/ApiError\(([^;]*?)\)/g)) for (const [code] of args!.matchAll(/\b[1-9]\d{3}\b/g)) codes.add(Number(code));
    // A code handed to a helper as its last argument: `parseId(value, 1017)`.
    for (const [, code] of source.matchAll(/,\s*([1-9]\d{3})\)/g)) codes.add(Number(code));
    // The texts table of errors.ts: `  2055: 'File or folder not found',`.
    if (file === 'errors.ts') for (const [, code] of source.matchAll(/^\s+([1-9]\d{3}):/gm)) codes.add(Number(code));
  }
  return codes;
}

/** The codes that have a row: a table row starting with the code in back quotes. */
function tableCodes(): Set<number> {
  return new Set([...TABLE.matchAll(/^\| `([1-9]\d{3})`/gm)].map(([, code]) => Number(code)));
}

describe('the emulator fidelity table', () => {
  it('has a row for every result code the emulator answers', () => {
    const rows = tableCodes();
    const missing = [...emulatorCodes()].filter((code) => !rows.has(code)).sort();
    expect(missing).toEqual([]);
  });

  it('reads the codes it guards (the scan is not empty, and sees the codes known today)', () => {
    expect([...emulatorCodes()].sort()).toEqual(expect.arrayContaining([1000, 1002, 1017, 1901, 2000, 2005, 2009, 2055, 2094, 2095, 4000, 5000, 5004]));
  });

  it('names a source or says unverified in every row, and no live run yet', () => {
    const rows = TABLE.split('\n').filter((line) => /^\| (`|[a-z0-9`])/i.test(line) && !line.startsWith('| behaviour') && !line.startsWith('| check |') && !line.startsWith('| ---'));
    expect(rows.length).toBeGreaterThan(30);
    for (const row of rows) {
      const cells = row.split(' | ');
      expect({ row, cells: cells.length }).toEqual({ row, cells: 4 });
      expect({ row, source: cells[2]!.trim().length > 0 }).toEqual({ row, source: true });
      expect({ row, live: cells[3] }).toEqual({ row, live: 'no |' });
    }
  });
});
