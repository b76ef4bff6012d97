import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

/**
 * Whether V8 optimizes a hot function inside withOptimizerPaused and after it, seen through
 * V8's own optimization status (a child process: it needs --allow-natives-syntax).
 */
function tiering(flags: string[]): { during: boolean; after: boolean } {
  const module = pathToFileURL(`${REPO}dist/runtime/optimizer-pause.js`).href;
  const script = `
    const { withOptimizerPaused } = await import(${JSON.stringify(module)});
    const make = () => new Function('x', 'let s = 0; for (let i = 0; i < 50; i++) s += (x * i) % 7; return s;');
    const optimized = (f) => { for (let i = 0; i < 200000; i++) f(i); return (eval('%GetOptimizationStatus(f)') & 16) !== 0; };
    const during = await withOptimizerPaused(async () => optimized(make()));
    console.log(JSON.stringify({ during, after: optimized(make()) }));`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', ...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { during: boolean; after: boolean };
}

describe('withOptimizerPaused (rule loading beside worker threads)', () => {
  it('keeps hot code unoptimized while the load runs, and optimizes again after it', () => {
    expect(tiering([])).toEqual({ during: false, after: true });
  });

  it('leaves the optimizer alone when the user set V8 tiering flags', () => {
    expect(tiering(['--turbofan'])).toEqual({ during: true, after: true });
    expect(tiering(['--no-turbofan'])).toEqual({ during: false, after: false });
  });
});
