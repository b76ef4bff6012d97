import { setFlagsFromString } from 'node:v8';
import { changeFlag, tieringSetByUser } from './v8-flags.js';

/**
 * Runs `load` with V8's optimizing compiler (TurboFan) paused: rule loading beside worker
 * threads. Loading runs its code once, so optimizing it seldom pays back, and with workers
 * every core is taken: this thread loading, the workers compiling each rule file as it loads
 * (parallel/pool.ts), and both isolates' optimizing jobs. A load on one thread without a parse
 * helper keeps it: there its jobs use the idle core and speed the load up
 * (docs/performance.md#optimizer-paused-during-rule-loads).
 */
export async function withOptimizerPaused<T>(load: () => Promise<T>): Promise<T> {
  const resume = pauseOptimizer();
  try {
    return await load();
  } finally {
    resume();
  }
}

/**
 * Pauses the optimizer until the returned function is called: for a load that finds out only
 * as it goes that it takes the other core (a parse helper, see helped-load.ts).
 */
export function pauseOptimizer(): () => void {
  if (tieringSetByUser()) return () => {};
  changeFlag('--no-turbofan', '--turbofan');
  return () => setFlagsFromString('--turbofan');
}
