import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { freePort } from '../../support/free-port.js';
import type { Engine, EnginePage, PageFunction } from './engine.js';

const DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
const XVFB_RUN = process.env.XVFB_RUN_PATH ?? '/usr/bin/xvfb-run';
/** Debian's multiarch library folder: where webkit2gtk-driver's MiniBrowser lives. */
const MINIBROWSER = process.env.WEBKIT_MINIBROWSER_PATH ?? `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/webkit2gtk-4.1/MiniBrowser`;
/** The W3C WebDriver name of an element reference in JSON. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

interface WebDriverAnswer {
  readonly value: unknown;
}

/** One classic WebDriver command over HTTP; a WebDriver error becomes an Error with its message. */
async function command(base: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as WebDriverAnswer;
  if (!response.ok) {
    const { error, message } = (answer.value ?? {}) as { error?: string; message?: string };
    throw new Error(`WebDriver ${method} ${path}: ${error ?? response.status}: ${message ?? ''}`);
  }
  return answer.value;
}

async function waitForDriver(base: string, driver: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode}: ${output()}`);
    try {
      const status = (await command(base, 'GET', '/status')) as { ready?: boolean };
      if (status.ready === true) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`WebKitWebDriver did not answer /status within 20 s: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * WebKit, Safari's engine: Debian's WebKitGTK MiniBrowser, driven by WebKitWebDriver over classic
 * WebDriver with plain HTTP (no client library), on a virtual X display from xvfb-run. One
 * WebDriver session is one window: a "page" is that window, blanked when closed.
 */
export const webkit: Engine = {
  name: 'webkit',
  missing: () => {
    const absent = [DRIVER, MINIBROWSER, XVFB_RUN].filter((path) => !existsSync(path));
    return absent.length === 0 ? undefined : `WebKit not usable: missing ${absent.join(', ')}: install the Debian packages 'webkit2gtk-driver' and 'xvfb' (npm test does it as root), or set WEBKIT_DRIVER_PATH, WEBKIT_MINIBROWSER_PATH and XVFB_RUN_PATH`;
  },
  async launch() {
    const port = await freePort();
    // Its own process group: closing kills xvfb-run, Xvfb, the driver and MiniBrowser together.
    const driver = spawn(XVFB_RUN, ['--auto-servernum', '--server-args=-screen 0 1280x1024x24', DRIVER, `--port=${port}`, '--host=127.0.0.1'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    driver.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    driver.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const stop = (): void => {
      if (driver.exitCode === null && driver.pid !== undefined) {
        try {
          process.kill(-driver.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
    };
    // Detached, the group outlives jest's forced exit unless killed then (synchronously).
    process.once('exit', stop);
    const base = `http://127.0.0.1:${port}`;
    let session: string;
    try {
      await waitForDriver(base, driver, () => output);
      const created = (await command(base, 'POST', '/session', {
        capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } },
      })) as { sessionId: string };
      session = `/session/${created.sessionId}`;
      await command(base, 'POST', `${session}/window/rect`, { width: 1024, height: 900 });
    } catch (error) {
      stop();
      process.off('exit', stop);
      throw error;
    }
    const run = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> => command(base, method, `${session}${path}`, body);
    const element = async (selector: string): Promise<string> => {
      const found = (await run('POST', '/element', { using: 'css selector', value: selector })) as Record<string, string>;
      return found[ELEMENT]!;
    };
    return {
      async newPage(): Promise<EnginePage> {
        return {
          goto: async (url) => {
            await run('POST', '/url', { url });
          },
          // WebDriver's "execute script" awaits a returned promise.
          evaluate: async <A, R>(fn: PageFunction<A, R>, arg: A) => (await run('POST', '/execute/sync', { script: `return (${fn.toString()}).apply(null, arguments);`, args: [arg ?? null] })) as R,
          click: async (selector) => {
            await run('POST', `/element/${await element(selector)}/click`, {});
          },
          fill: async (selector, value) => {
            const id = await element(selector);
            await run('POST', `/element/${id}/clear`, {});
            await run('POST', `/element/${id}/value`, { text: value });
          },
          screenshot: async (path) => {
            writeFileSync(path, Buffer.from((await run('GET', '/screenshot')) as string, 'base64'));
          },
          close: async () => {
            await run('POST', '/url', { url: 'about:blank' });
          },
        };
      },
      close: async () => {
        await run('DELETE', '').catch(() => undefined);
        stop();
        process.off('exit', stop);
      },
    };
  },
};
