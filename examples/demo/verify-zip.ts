import yauzl from 'yauzl';

/** The file entries of a zip (name -> uncompressed size), read from its central directory. */
export function listZip(zip: Buffer): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, zipfile) => {
      if (error) {
        reject(error);
        return;
      }
      const entries = new Map<string, number>();
      zipfile.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('/')) entries.set(entry.fileName, entry.uncompressedSize);
        zipfile.readEntry();
      });
      zipfile.on('end', () => {
        resolve(entries);
      });
      zipfile.on('error', reject);
      zipfile.readEntry();
    });
  });
}

/** Differences between what a zip lists and what was expected, as readable lines. */
export function compareEntries(actual: ReadonlyMap<string, number>, expected: ReadonlyMap<string, number>): string[] {
  const problems: string[] = [];
  for (const [name, size] of expected) {
    const got = actual.get(name);
    if (got === undefined) problems.push(`missing ${name}`);
    else if (got !== size) problems.push(`${name}: ${got} bytes, expected ${size}`);
  }
  for (const name of actual.keys()) if (!expected.has(name)) problems.push(`unexpected ${name}`);
  return problems;
}
