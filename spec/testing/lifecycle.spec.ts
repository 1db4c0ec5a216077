import { request } from 'node:http';
import { startFakePCloud } from '../../lib/testing/index.js';
import { sleep, waitFor } from '../support/wait.js';

/** Counts of the resource kinds the emulator could leak. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = { TCPServerWrap: 0, TCPSocketWrap: 0, Timeout: 0, Immediate: 0 };
  for (const kind of process.getActiveResourcesInfo()) if (kind in counts) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** A POST through node:http without keep-alive, resolving with the outcome instead of throwing. */
function post(url: string, body: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      res.on('end', () => { resolve(`status ${res.statusCode}`); });
      res.on('error', () => { resolve('response error'); });
    });
    req.on('error', (error) => { resolve(`error ${error.message}`); });
    req.end(body);
  });
}

describe('close()', () => {
  it('stops the server, destroys open connections and clears every timer', async () => {
    await sleep(20); // let jest's own start-up timers settle first
    const baseline = resources();
    const fake = await startFakePCloud({ bytesPerSecond: 1000 });
    const user = fake.addUser();
    const folder = user.mkdir('/slow');
    user.writeFile('/slow/a.bin', new Uint8Array(5000)); // 5 s of zipping: still running at close
    fake.inject('userinfo', { type: 'hang' });
    fake.inject('currentserver', { type: 'latency', ms: 5000 });
    fake.inject('savezip', { type: 'delay-registration', ms: 5000 });

    const auth = `auth=${user.auth}`;
    const outcomes = Promise.all([
      post(`${fake.url}/userinfo`, auth),
      post(`${fake.url}/currentserver`, ''),
      post(`${fake.url}/savezip`, `${auth}&folderid=${folder.folderid}&topath=/a.zip&progresshash=h`),
    ]);
    await waitFor('the 3 requests to arrive', () => fake.requests.length >= 3, 500, 5);
    expect(fake.requests).toHaveLength(3);
    expect(fake.openConnections()).toBe(3);
    const during = resources();
    expect(during.TCPServerWrap).toBeGreaterThan(baseline.TCPServerWrap!);
    // The latency, delay-registration and zipping timers are live now. Other specs share this
    // process (jest runs in band on 2 cores) and one of their timers may expire meanwhile, so
    // only "more than before" is certain.
    expect(during.Timeout).toBeGreaterThan(baseline.Timeout!);

    await fake.close();
    expect(fake.openConnections()).toBe(0);
    // Every pending client request fails: nothing was left waiting on a timer.
    expect(await outcomes).toEqual([expect.stringMatching(/^error /), expect.stringMatching(/^error /), expect.stringMatching(/^error /)]);
    // jest runs spec files in band in one process on 2 cores: a timer another file left behind
    // (a child process's exit handling, a client's keep-alive) may still be alive for a moment.
    // Waiting up to 1.5 s for that cannot hide a leak here: every emulator timer this test armed
    // (latency, late registration, zipping) runs 5 s.
    const settled = (): boolean => Object.keys(baseline).every((kind) => resources()[kind]! <= baseline[kind]!);
    await waitFor('resources back to their baseline', settled, 1500, 10).catch(() => undefined);
    const after = resources();
    for (const kind of Object.keys(baseline)) expect({ kind, count: after[kind]! <= baseline[kind]! }).toEqual({ kind, count: true });
    // Server-side teardown is not a client abort.
    expect(fake.requests.every((r) => !r.aborted)).toBe(true);
    expect(fake.jobs()[0]).toMatchObject({ done: false, registered: false });
  });

  it('is idempotent, and the port refuses connections afterwards', async () => {
    const fake = await startFakePCloud();
    await fake.close();
    await fake.close();
    await expect(fetch(`${fake.url}/currentserver`)).rejects.toThrow('fetch failed');
  });

  it('closes idle keep-alive connections of fetch', async () => {
    const fake = await startFakePCloud();
    await (await fetch(`${fake.url}/currentserver`)).json();
    expect(fake.openConnections()).toBe(1);
    await fake.close();
    expect(fake.openConnections()).toBe(0);
  });
});

describe('options', () => {
  it('rejects invalid options', async () => {
    await expect(startFakePCloud({ bytesPerSecond: 0 })).rejects.toThrow(RangeError);
    await expect(startFakePCloud({ finishedJobTtlMs: -1 })).rejects.toThrow(RangeError);
    await expect(startFakePCloud({ port: 70000 })).rejects.toThrow(RangeError);
  });

  it('binds the requested port on loopback', async () => {
    const first = await startFakePCloud();
    const port = Number(new URL(first.url).port);
    await first.close();
    const fake = await startFakePCloud({ port });
    try {
      expect(fake.url).toBe(`http://127.0.0.1:${port}`);
    } finally {
      await fake.close();
    }
  });
});
