import { chromium } from './chromium.js';
import type { Engine } from './engine.js';
import { firefox } from './firefox.js';
import { webkit } from './webkit.js';

export type { Engine, EngineBrowser, EnginePage, PageFunction } from './engine.js';

const ALL: readonly Engine[] = [chromium, firefox, webkit];

/**
 * The engines the cross-engine specs run in: all three, or those named in E2E_ENGINES
 * (comma-separated, e.g. `E2E_ENGINES=firefox`) to run one while working on it.
 */
export const ENGINES: readonly Engine[] = (() => {
  const wanted = process.env.E2E_ENGINES?.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (wanted === undefined || wanted.length === 0) return ALL;
  const unknown = wanted.filter((name) => !ALL.some((engine) => engine.name === name));
  if (unknown.length > 0) throw new Error(`E2E_ENGINES: unknown engine(s) ${unknown.join(', ')}; known: ${ALL.map((e) => e.name).join(', ')}`);
  return ALL.filter((engine) => wanted.includes(engine.name));
})();
