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

/**
 * Calls a small function needs before V8 optimizes it, in a fresh process that imports the
 * flags module: during its first second, and again (a new function) after it. `execArgv`: the
 * user's own V8 options.
 */
function callsUntilOptimized(execArgv: string[]): { early: number; late: number } {
  const module = pathToFileURL(`${REPO}dist/runtime/v8-flags.js`).href;
  const script = `
    await import(${JSON.stringify(module)});
    const calls = () => {
      const f = new Function('x', 'const a = x * 3 + 1; const b = a ^ (x >> 2); return (a + b) | 0;');
      const status = new Function('f', 'return %GetOptimizationStatus(f)');
      for (let i = 1; i <= 1000000; i++) { f(i); if (status(f) & 16) return i; }
      return 1000000;
    };
    await new Promise((resolve) => setTimeout(resolve, 10));
    const early = calls();
    await new Promise((resolve) => setTimeout(resolve, 1300));
    console.log(JSON.stringify({ early, late: calls() }));`;
  // Compiled on the main thread: the call that triggers optimization returns optimized, whatever the load.
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', ...execArgv, '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { early: number; late: number };
}

describe('the tier-up budget of the first second (runtime/v8-flags.ts)', () => {
  it('optimizes later during the first second, and at V8 default pace after it', () => {
    const raised = callsUntilOptimized([]);
    const defaults = callsUntilOptimized(['--interrupt-budget=67584']);
    expect(raised.early).toBeGreaterThan(3 * defaults.early);
    expect(raised.late).toBeLessThan(1.5 * defaults.late);
  });

  it('leaves the budget alone when the user sets it', () => {
    const { early, late } = callsUntilOptimized(['--interrupt-budget=67584']);
    expect(early).toBeLessThan(2 * late);
  });
});
