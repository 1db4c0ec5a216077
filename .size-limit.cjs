/**
 * Size budget of what a browser app ships for `import { zipProgress$ }` (minified with esbuild,
 * gzip level 9, rxjs left out: it is a peer dependency the app already has).
 * Run: `npm run size` (or `npx size-limit`). Figures and the limit are in kB of 1000 bytes, from
 * size-limit's own esbuild setup. `npm run bench` (spec/bench/size.ts) measures the same entry
 * with its own esbuild call and reports KiB (1024 bytes, printed "KB") with a per-package
 * breakdown, so its figure is close to, but not the same number as, this one.
 */
module.exports = [
  {
    name: 'zipProgress$ (browser, minified + gzip, rxjs external)',
    path: 'lib/index.ts',
    import: '{ zipProgress$ }',
    ignore: ['rxjs'],
    gzip: true,
    // 14.5 -> 16.5: the credential scrubber (every spelling), scrubbed copies of foreign errors,
    // error hints and the streamed body limit cost about 1.9 kB (issue 10 items 5 and 6).
    // 16.5 -> 17.0 (measured 16.81): re-attach (`job`) and `paused` (issue 14) added about
    // 1.1 kB; io-ts codecs marked pure and savezip's hint kept out of this import took back about
    // 0.75 kB.
    // 17.0 -> 16.5 (measured 16.47): option validation shared by every option (one rule table,
    // one message style), a leaner scrubber, decoder and error classes took back about 0.7 kB;
    // the per-poll CPU work (one request-timeout timer per run of polls) added about 0.3 kB.
    // Issue 12's 12 kB is out of reach while ky (4.9 KiB gzip alone) and io-ts + fp-ts stay
    // (ky + one codec: 7.4 KiB, spec/bench/size.ts): this library's own code adds about 9 kB:
    // the poller, stall and deadline guards, the client with its credential scrubber, option
    // validation and the error classes.
    // 16.5 -> 17.2 (measured 17.11, issue 18): where a token may go is now one named-hosts rule
    // for pinning and re-attach, with the `trustedHosts` option and its checks (~0.5 kB), 4xxx
    // rate limiting waited out with its hint (~0.15 kB), and the hook through which the Node
    // entry sets one connection pool per credential (37 bytes minified; the pools themselves are
    // Node-only and not in this bundle).
    // 17.2 -> 17.3 (measured 17.20, issue 21): the poller's one hook that reports each wait
    // (retrying, waiting, paused) as it starts, ~85 bytes; the events themselves are built only
    // by saveZip$ and zipProgressEvents$, outside this import.
    // 17.20 -> 17.24 (issue 21): the poller tells `recovered` when the first answer after a
    // failure wait shows nothing new (40 bytes), so UIs leave "Reconnecting…". OpenTelemetry is
    // a separate entry (pcloud-zip-progress/otel) and adds nothing here.
    // 17.24 -> 17.26: the Scrubber compiles its pattern at the first text (20 bytes), which saves
    // ~0.5 KB of heap per waiting subscription.
    limit: '17.3 KB',
  },
];
