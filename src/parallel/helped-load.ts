import type { LoadHooks } from '../sigma/index.js';
import { startParseHelper } from './pool.js';
import { pauseOptimizer } from '../runtime/optimizer-pause.js';

/**
 * Runs a rule load that has a core to spare (a one-thread scan of a small input, `rules lint`)
 * with a parse helper (parallel/pool.ts), which starts only for a large load, and with the
 * optimizer paused while the helper runs (it takes the core the optimizer's jobs would use).
 * Small EVTX file, all 2,407 SigmaHQ windows rule files: the scan's load ended at 1.46–1.56 s
 * instead of 1.59–1.64 s, the whole scan took 1.66–1.99 s (median 1.72) instead of 1.87–1.89 s;
 * `rules lint` of all 3,754 SigmaHQ rules 2.04–2.09 s instead of 2.11–2.24 s. The helper's
 * isolate adds ~18 MB to the peak while it runs.
 */
export async function helpedLoad<T>(threads: number, load: (hooks?: LoadHooks) => Promise<T>): Promise<T> {
  if (threads < 2) return load();
  let resume = () => {};
  const helper = startParseHelper(() => (resume = pauseOptimizer()));
  try {
    return await load(helper.loadHooks);
  } finally {
    resume();
    await helper.close();
  }
}
