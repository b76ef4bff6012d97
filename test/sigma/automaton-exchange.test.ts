import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-automata-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Two threads of one exchange (a child process: the main thread and a worker, from the built
 * code) need a CommandLine automaton: the worker claims the one of `needles` first and builds
 * it slowly (~0.3 s; `workerFails`: then throws), then the main thread asks for the one of
 * `mainNeedles`. Returns what each got (null: nothing), and how many builds each ran. The child
 * is given 5 s: a thread that waited out the exchange's 10 s for a build fails the test.
 */
function race(needles: string[], mainNeedles: string[], workerFails = false): { worker: number[] | null; main: number[]; workerBuilds: number; mainBuilds: number } {
  const args = (texts: string[]) => `'CommandLine', ${JSON.stringify(texts.map((_, i) => i))}, ${JSON.stringify(texts.map((text) => ({ text })))}`;
  const module = JSON.stringify(pathToFileURL(`${REPO}dist/sigma/automaton-exchange.js`).href);
  const tables = (mark: number) =>
    `({ classes: new Uint8Array([${mark}]), width: 1, delta: new Uint16Array([${mark}, 2]), quiet: 1, sparse: new Map([[${mark}, 3]]), fail: new Int32Array(1), starts: new Int32Array(2), ids: new Int32Array([${mark}]) })`;
  const summary = 't => [t.classes[0], t.delta[0], t.sparse.get(t.classes[0]), t.ids[0]]';
  const worker = `
    import { parentPort, workerData } from 'node:worker_threads';
    const { joinAutomatonExchange, automatonTables } = await import(${module});
    joinAutomatonExchange(workerData);
    let builds = 0;
    let got = null;
    try {
      got = (${summary})(automatonTables(${args(needles)}, () => {
        builds += 1;
        parentPort.postMessage({ building: true });
        const until = Date.now() + 300;
        while (Date.now() < until);
        if (${workerFails}) throw new Error('build failed');
        return ${tables(7)};
      }));
    } catch {}
    parentPort.postMessage({ got, builds });`;
  const main = `
    import { Worker } from 'node:worker_threads';
    const { newAutomatonExchange, joinAutomatonExchange, automatonTables, leaveAutomatonExchange } = await import(${module});
    const share = newAutomatonExchange();
    joinAutomatonExchange(share);
    const w = new Worker(${JSON.stringify(join(dir, 'worker.mjs'))}, { workerData: share });
    const { main, fromWorker } = await new Promise((resolve) => {
      let main;
      w.on('message', (m) => {
        if (!m.building) return resolve({ main, fromWorker: m });
        // The worker holds the claim and is building: this thread asks now.
        let builds = 0;
        const got = automatonTables(${args(mainNeedles)}, () => (builds += 1, ${tables(9)}));
        main = { got: (${summary})(got), builds };
      });
    });
    leaveAutomatonExchange();
    await w.terminate();
    console.log(JSON.stringify({ worker: fromWorker.got, workerBuilds: fromWorker.builds, main: main.got, mainBuilds: main.builds }));`;
  writeFileSync(join(dir, 'worker.mjs'), worker);
  writeFileSync(join(dir, 'main.mjs'), main);
  const r = spawnSync(process.execPath, [join(dir, 'main.mjs')], { encoding: 'utf8', timeout: 5000 });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { worker: number[]; main: number[]; workerBuilds: number; mainBuilds: number };
}

/**
 * The main thread builds an automaton and posts it while the worker's event loop turns (as a
 * worker's does between batches, or while it compiles its rules), and only then does the
 * worker ask for it. Returns what the worker got: its first entries, whether the arrays are
 * shared memory, and how many builds it ran.
 */
function postedBeforeAsked(): { got: number[] | null; shared: boolean; builds: number } {
  const module = JSON.stringify(pathToFileURL(`${REPO}dist/sigma/automaton-exchange.js`).href);
  const args = `'Image', [0], [{ text: '\\\\cmd.exe' }]`;
  const worker = `
    import { parentPort, workerData } from 'node:worker_threads';
    const { joinAutomatonExchange, automatonTables } = await import(${module});
    joinAutomatonExchange(workerData);
    parentPort.postMessage('joined');
    parentPort.once('message', () => {
      let builds = 0;
      const t = automatonTables(${args}, () => (builds += 1, { classes: new Uint8Array(1), width: 1, delta: new Uint16Array(1), quiet: 1, sparse: new Map(), fail: new Int32Array(1), starts: new Int32Array(2), ids: new Int32Array(1) }));
      parentPort.postMessage({ got: [t.classes[0], t.delta[1], t.ids[0]], shared: t.delta.buffer instanceof SharedArrayBuffer, builds });
    });`;
  const main = `
    import { Worker } from 'node:worker_threads';
    const { newAutomatonExchange, joinAutomatonExchange, automatonTables, leaveAutomatonExchange } = await import(${module});
    const share = newAutomatonExchange();
    joinAutomatonExchange(share);
    const w = new Worker(${JSON.stringify(join(dir, 'posted-worker.mjs'))}, { workerData: share });
    await new Promise((resolve) => w.once('message', resolve));
    automatonTables(${args}, () => ({ classes: new Uint8Array([5]), width: 1, delta: new Uint16Array([0, 6]), quiet: 1, sparse: new Map(), fail: new Int32Array(1), starts: new Int32Array(2), ids: new Int32Array([8]) }));
    // The worker's event loop turns (the tables reach it meanwhile) before it asks.
    await new Promise((resolve) => setTimeout(resolve, 100));
    w.postMessage('ask');
    const answer = await new Promise((resolve) => w.once('message', resolve));
    leaveAutomatonExchange();
    await w.terminate();
    console.log(JSON.stringify(answer));`;
  writeFileSync(join(dir, 'posted-worker.mjs'), worker);
  writeFileSync(join(dir, 'posted-main.mjs'), main);
  const r = spawnSync(process.execPath, [join(dir, 'posted-main.mjs')], { encoding: 'utf8', timeout: 5000 });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { got: number[] | null; shared: boolean; builds: number };
}

describe('automaton exchange: each needle automaton of a scan built by one thread (sigma/automaton-exchange.ts)', () => {
  it('has a thread that needs an automaton another thread is building wait for its tables, not build them', () => {
    expect(race(['whoami', 'certutil'], ['whoami', 'certutil'])).toEqual({ worker: [7, 7, 3, 7], workerBuilds: 1, main: [7, 7, 3, 7], mainBuilds: 0 });
  });

  it('builds an automaton of other needles itself, while another thread builds its own', () => {
    expect(race(['whoami', 'certutil'], ['whoami', 'certutil.exe'])).toEqual({ worker: [7, 7, 3, 7], workerBuilds: 1, main: [9, 9, 3, 9], mainBuilds: 1 });
  });

  it('hands a thread tables posted while its event loop turned, in shared memory, before it asks', () => {
    expect(postedBeforeAsked()).toEqual({ got: [5, 6, 8], shared: true, builds: 0 });
  });

  it('has the threads waiting for a build that fails build themselves at once, not after the wait runs out', () => {
    expect(race(['whoami', 'certutil'], ['whoami', 'certutil'], true)).toEqual({ worker: null, workerBuilds: 1, main: [9, 9, 3, 9], mainBuilds: 1 });
  });
});
