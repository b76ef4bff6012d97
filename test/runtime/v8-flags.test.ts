import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

/**
 * How a worker thread started after a scan of `threads` threads set its V8 flags optimizes a
 * hot function: whether the function was ever waiting for a concurrent compile job, and whether
 * it got optimized (a child process: the flags are process-wide, and reading V8's optimization
 * status needs --allow-natives-syntax, which the worker inherits).
 */
function workerTiering(threads: number): { concurrent: boolean; optimized: boolean } {
  const module = pathToFileURL(`${REPO}dist/runtime/v8-flags.js`).href;
  const worker = `
    const f = new Function('x', 'let s = 0; for (let i = 0; i < 50; i++) s += (x * i) % 7; return s;');
    let concurrent = false, optimized = false;
    for (let i = 0; i < 20000 && !optimized; i++) {
      f(i);
      const status = eval('%GetOptimizationStatus(f)');
      // Marked for a concurrent job, or its job under way.
      if (status & ((1 << 9) | (1 << 10))) concurrent = true;
      if (status & 16) optimized = true;
    }
    void import('node:worker_threads').then((m) => m.parentPort.postMessage({ concurrent, optimized }));`;
  const script = `
    const { Worker } = await import('node:worker_threads');
    const { yieldCoresToScanners } = await import(${JSON.stringify(module)});
    yieldCoresToScanners(${threads});
    const w = new Worker(${JSON.stringify(worker)}, { eval: true });
    w.on('message', (m) => { console.log(JSON.stringify(m)); void w.terminate(); });`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { concurrent: boolean; optimized: boolean };
}

describe('V8 flags of a scan whose threads take every core (runtime/v8-flags.ts)', () => {
  it('leaves a worker to optimize in concurrent jobs while a core is spare', () => {
    expect(workerTiering(availableParallelism() - 1)).toEqual({ concurrent: true, optimized: true });
  });

  it('has a worker optimize on its own thread once every core scans', () => {
    expect(workerTiering(availableParallelism())).toEqual({ concurrent: false, optimized: true });
  });
});
