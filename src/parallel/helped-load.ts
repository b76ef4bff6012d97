import type { LoadHooks } from '../sigma/index.js';
import { startParseHelper } from './pool.js';
import { pauseOptimizer } from '../runtime/optimizer-pause.js';

/**
 * Runs a rule load that has a core to spare (a one-thread scan of a small input, `rules lint`)
 * with a parse helper (parallel/pool.ts), which starts only for a large load, and with the
 * optimizer paused while the helper runs (it takes the core the optimizer's jobs would use)
 * (docs/performance.md#parse-helper).
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
