/**
 * The poll-efficiency charts as hand-written SVG strings (no chart library): one panel per mix,
 * so a schedule that only shines on one mix is visible at a glance.
 */
import type { MixFigures } from './efficiency.js';
import type { JobMix } from './mixes.js';
import { DEFAULT_NAME } from './strategies.js';

const PANEL = { width: 330, height: 300, left: 52, right: 12, top: 34, bottom: 46 } as const;
const COLORS = { default: '#d62728', sweep: '#1f77b4', elapsed: '#ff7f0e', peer: '#555', target: '#2ca02c' } as const;
const FONT = 'font-family="sans-serif" font-size="11"';

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (x: number): string => x.toFixed(1);

/** A log10 axis mapping [min, max] onto [from, to] pixels. */
const logScale =
  (min: number, max: number, from: number, to: number) =>
  (v: number): number =>
    from + ((Math.log10(Math.min(max, Math.max(min, v))) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) * (to - from);
const linScale =
  (min: number, max: number, from: number, to: number) =>
  (v: number): number =>
    from + ((v - min) / (max - min)) * (to - from);

/** Frame, ticks and labels of one panel whose top-left corner is at (ox, 0). */
function frame(ox: number, title: string, xTicks: readonly [number, string][], yTicks: readonly [number, string][], x: (v: number) => number, y: (v: number) => number, xLabel: string, yLabel: string): string {
  const { left, top, width, height, bottom } = PANEL;
  const x0 = ox + left;
  const y1 = height - bottom;
  const parts = [
    `<rect x="${x0}" y="${top}" width="${width - left - PANEL.right}" height="${y1 - top}" fill="none" stroke="#999"/>`,
    `<text x="${ox + width / 2}" y="18" text-anchor="middle" font-family="sans-serif" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<text x="${ox + left + (width - left - PANEL.right) / 2}" y="${height - 8}" text-anchor="middle" ${FONT}>${esc(xLabel)}</text>`,
    `<text transform="translate(${ox + 12},${(top + y1) / 2}) rotate(-90)" text-anchor="middle" ${FONT}>${esc(yLabel)}</text>`,
  ];
  for (const [v, label] of xTicks) {
    const px = fixed(x(v));
    parts.push(`<line x1="${px}" y1="${top}" x2="${px}" y2="${y1}" stroke="#eee"/>`, `<text x="${px}" y="${y1 + 14}" text-anchor="middle" ${FONT}>${label}</text>`);
  }
  for (const [v, label] of yTicks) {
    const py = fixed(y(v));
    parts.push(`<line x1="${x0}" y1="${py}" x2="${ox + width - PANEL.right}" y2="${py}" stroke="#eee"/>`, `<text x="${x0 - 4}" y="${Number(py) + 4}" text-anchor="end" ${FONT}>${label}</text>`);
  }
  return parts.join('');
}

const svg = (width: number, height: number, body: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>\n`;

/** Short labels of the peers' marks. */
function peerLabel(name: string): string {
  const match = /^fixed ([\d.]+ m?s)/.exec(name);
  if (match) return `fixed ${match[1]!}`;
  return name.split(' ')[0]!.replace('intervalBackoff', '');
}

/** A legend row under the panels. */
function legend(y: number, items: readonly [string, string, 'line' | 'dot'][]): string {
  let x = 20;
  return items
    .map(([color, label, kind]) => {
      const glyph = kind === 'line' ? `<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${color}" stroke-width="2"/>` : `<circle cx="${x + 11}" cy="${y - 4}" r="4" fill="${color}"/>`;
      const text = `<text x="${x + 28}" y="${y}" ${FONT}>${esc(label)}</text>`;
      x += 40 + label.length * 6.2;
      return glyph + text;
    })
    .join('');
}

/**
 * Requests per job (relative to fixed 2 s, log scale) against the share of jobs on time, one
 * panel per mix, all seeds pooled: the sweep and the elapsed-share baseline as lines, the peers
 * and the default as marks, the target region shaded.
 *
 * @example
 * ```ts
 * await writeFile('trade-off.svg', tradeOffChart(byMix, TARGETS));
 * ```
 */
export function tradeOffChart(byMix: ReadonlyMap<JobMix, readonly MixFigures[]>, targets: { readonly onTimeShare: number; readonly requestsVsFixed2s: number }): string {
  const { width, height, left, top, bottom } = PANEL;
  const panels = [...byMix].map(([mix, figures], i) => {
    const ox = i * width;
    const x = logScale(0.02, 50, ox + left, ox + width - PANEL.right);
    // Late share on a log axis, top = fewest late: the region that matters (80-100% on time) gets room.
    const late = logScale(0.005, 1, top, height - bottom);
    const y = (onTime: number): number => late(1 - onTime);
    const xTicks: [number, string][] = [[0.03, '3%'], [0.1, '10%'], [0.6, '60%'], [2, '2x'], [10, '10x'], [30, '30x']];
    const yTicks: [number, string][] = [0.995, 0.99, 0.98, 0.95, 0.9, 0.8, 0.5, 0].map((v) => [v, `${Number((v * 100).toFixed(1))}%`]);
    const parts = [frame(ox, mix.key, xTicks, yTicks, x, y, 'requests per job vs fixed 2 s (log)', 'jobs on time, all seeds (log of late)')];
    const tx = x(targets.requestsVsFixed2s);
    parts.push(`<rect x="${fixed(ox + left)}" y="${top}" width="${fixed(tx - ox - left)}" height="${fixed(y(targets.onTimeShare) - top)}" fill="${COLORS.target}" fill-opacity="0.18"/>`);
    const point = (f: MixFigures): [number, number] => [x(f.pooledVsFixed2s), y(f.pooled.onTimeShare)];
    const line = (family: 'sweep' | 'elapsed', color: string): void => {
      const members = figures.filter((f) => f.strategy.family === family || (family === 'sweep' && f.strategy.family === 'default'));
      const sorted = [...members].sort((a, b) => (a.strategy.knob ?? 0) - (b.strategy.knob ?? 0));
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${sorted.map((f) => point(f).map(fixed).join(',')).join(' ')}"/>`);
      for (const f of sorted) {
        const [px, py] = point(f);
        parts.push(`<circle cx="${fixed(px)}" cy="${fixed(py)}" r="2.5" fill="${color}"/>`);
        // Only the ends of each line are labelled: the points between are too close to read.
        const isEnd = f === sorted[0] || f === sorted[sorted.length - 1];
        if (f.strategy.family !== 'default' && isEnd) parts.push(`<text x="${fixed(px + 3)}" y="${fixed(py + (family === 'sweep' ? -4 : 12))}" font-family="sans-serif" font-size="9" fill="${color}">${f.strategy.knob}</text>`);
      }
    };
    line('elapsed', COLORS.elapsed);
    line('sweep', COLORS.sweep);
    for (const f of figures.filter((g) => g.strategy.family === 'peer' || g.strategy.family === 'ceiling')) {
      const [px, py] = point(f);
      if (f.strategy.family === 'ceiling') {
        parts.push(`<rect x="${fixed(px - 4)}" y="${fixed(py - 4)}" width="8" height="8" fill="#000"/>`, `<text x="${fixed(px)}" y="${fixed(py - 7)}" text-anchor="middle" font-family="sans-serif" font-size="10">back-to-back</text>`);
        continue;
      }
      parts.push(`<circle cx="${fixed(px)}" cy="${fixed(py)}" r="4" fill="${COLORS.peer}"/>`, `<text x="${fixed(px + 6)}" y="${fixed(py + 4)}" font-family="sans-serif" font-size="10" fill="${COLORS.peer}">${esc(peerLabel(f.name))}</text>`);
    }
    const ours = figures.find((f) => f.name === DEFAULT_NAME);
    if (ours !== undefined) {
      const [px, py] = point(ours);
      parts.push(`<circle cx="${fixed(px)}" cy="${fixed(py)}" r="6" fill="${COLORS.default}" stroke="#fff" stroke-width="1.5"/>`);
    }
    return parts.join('');
  });
  const n = byMix.size;
  const legendY = height + 16;
  return svg(n * width, height + 28, [
    ...panels,
    legend(legendY, [
      [COLORS.default, 'default', 'dot'],
      [COLORS.sweep, 'adaptive, lagShare swept', 'line'],
      [COLORS.elapsed, 'wait = k x elapsed', 'line'],
      [COLORS.peer, "peers' defaults", 'dot'],
      ['#000', 'ceiling: back-to-back (wait 0)', 'dot'],
      [COLORS.target, 'target region', 'dot'],
    ]),
  ].join(''));
}

/** The schedules drawn in the lag chart, and their colours. */
const LAG_LINES: readonly [RegExp, string, string][] = [
  [/^this library/, COLORS.default, 'default'],
  [/^elapsed share 0\.05/, COLORS.elapsed, 'wait = 5% x elapsed'],
  [/^fixed 200 ms/, '#9467bd', 'fixed 200 ms'],
  [/^fixed 1 s/, '#8c564b', 'fixed 1 s'],
  [/^fixed 2 s/, '#7f7f7f', 'fixed 2 s'],
  [/^google-gax/, '#17becf', 'google-gax'],
];

/**
 * The lag distribution: for each mix, the share of jobs whose lag is at most x times the
 * tolerated lag (x = 1 is "on time"), log x axis; failed jobs never arrive.
 *
 * @example
 * ```ts
 * await writeFile('lag.svg', lagChart(byMix));
 * ```
 */
export function lagChart(byMix: ReadonlyMap<JobMix, readonly MixFigures[]>): string {
  const { width, height, left, top, bottom } = PANEL;
  const panels = [...byMix].map(([mix, figures], i) => {
    const ox = i * width;
    const x = logScale(0.01, 100, ox + left, ox + width - PANEL.right);
    const y = linScale(0, 1, height - bottom, top);
    const xTicks: [number, string][] = [[0.01, '0.01'], [0.1, '0.1'], [1, '1'], [10, '10'], [100, '100']];
    const yTicks: [number, string][] = [0, 0.25, 0.5, 0.75, 0.95].map((v) => [v, `${Math.round(v * 100)}%`]);
    const parts = [frame(ox, mix.key, xTicks, yTicks, x, y, 'lag / tolerated lag (log)', 'share of jobs (all seeds)')];
    parts.push(`<line x1="${fixed(x(1))}" y1="${top}" x2="${fixed(x(1))}" y2="${height - bottom}" stroke="${COLORS.target}" stroke-dasharray="4 3"/>`);
    for (const [pattern, color] of LAG_LINES) {
      const f = figures.find((g) => pattern.test(g.name));
      if (f === undefined) continue;
      const sorted = [...f.lagRatios].filter(Number.isFinite).sort((a, b) => a - b);
      const n = f.lagRatios.length;
      // A step line of the empirical distribution (points clipped to the axis range).
      const points = [`${fixed(x(0.01))},${fixed(y(0))}`];
      sorted.forEach((v, k) => points.push(`${fixed(x(v))},${fixed(y(k / n))}`, `${fixed(x(v))},${fixed(y((k + 1) / n))}`));
      points.push(`${fixed(x(100))},${fixed(y(sorted.length / n))}`);
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="${color === COLORS.default ? 2.5 : 1.5}" points="${points.join(' ')}"/>`);
    }
    return parts.join('');
  });
  return svg(byMix.size * width, height + 28, [...panels, legend(height + 16, LAG_LINES.map(([, color, label]) => [color, label, 'line'] as [string, string, 'line']))].join(''));
}
