import { seededRandom, type FakeUser } from '../../lib/testing/index.js';

/** One file of the demo tree. */
export interface DemoFile {
  readonly name: string;
  readonly size: number;
}

/**
 * Plans `count` files of mixed sizes: mostly small documents, a few photos of a few hundred
 * KB, and two large videos, so the progress bar shows both quick runs and long holds.
 */
export function planDemoTree(count: number): DemoFile[] {
  const random = seededRandom(42);
  const files: DemoFile[] = [];
  for (let i = 0; i < count; i++) {
    const big = i === Math.floor(count / 3) || i === count - 1;
    const photo = !big && random() < 0.1;
    const size = big ? 3_000_000 + Math.floor(random() * 1_000_000) : photo ? 200_000 + Math.floor(random() * 300_000) : 1_000 + Math.floor(random() * 20_000);
    const name = big ? `videos/clip-${i}.mp4` : photo ? `photos/img-${i}.jpg` : `docs/${String(Math.floor(i / 50))}/note-${i}.txt`;
    files.push({ name, size });
  }
  return files;
}

/** Writes the planned files under `/demo` and returns that folder's id. */
export function writeDemoTree(user: FakeUser, files: readonly DemoFile[]): number {
  files.forEach(({ name, size }, i) => user.writeFile(`/demo/${name}`, Buffer.alloc(size, i % 251)));
  const folder = user.stat('/demo');
  if (folder === undefined || !('folderid' in folder)) throw new Error('seeding /demo failed');
  return folder.folderid;
}
