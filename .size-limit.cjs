/**
 * Size budget of what a browser app ships for `import { zipProgress$ }` (minified with esbuild,
 * gzip level 9, rxjs left out: it is a peer dependency the app already has).
 * Run: `npm run size` (or `npx size-limit`). `npm run bench` reports the same figure with a breakdown.
 */
module.exports = [
  {
    name: 'zipProgress$ (browser, minified + gzip, rxjs external)',
    path: 'lib/index.ts',
    import: '{ zipProgress$ }',
    ignore: ['rxjs'],
    gzip: true,
    limit: '14.5 KB',
  },
];
