/**
 * V8 flags for the whole process (worker threads included), set before the rules are loaded:
 * main.ts imports this module first. The flags of the whole run are start-flags.ts's; those
 * changed at run time go through `changeFlag`, which keeps their start values for
 * `restoreStartFlags`.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { setStartFlags } from './start-flags.js';

setStartFlags();

/** Each flag changed at run time (by name), with the flag that puts back its start value. */
const startValues = new Map<string, string>();

/** Sets a flag at run time; `start`: the flag as V8 had it at start (`--turbofan`, `--interrupt-budget=N`). */
export function changeFlag(flag: string, start: string): void {
  const name = flag.replace(/^--(no-)?/, '').replace(/=.*$/, '');
  if (!startValues.has(name)) startValues.set(name, start);
  setFlagsFromString(flag);
}

/**
 * Every flag changed at run time put back as it was at start, for a code cache made at exit
 * (cached-start.ts): V8 stamps a cache with a hash of the flags when it is made and rejects it
 * where they differ when it is read, at the next start.
 */
export function restoreStartFlags(): void {
  for (const flag of startValues.values()) setFlagsFromString(flag);
}

/** V8 options the user gave that decide tiering themselves: then the runtime leaves tiering alone (here, and optimizer-pause.ts). */
const TIERING_OPTIONS = /--(no-)?(jitless|turbofan|opt\b|max-opt|interrupt-budget)/;

export function tieringSetByUser(): boolean {
  return TIERING_OPTIONS.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
}

/**
 * The tier-up budget, raised for the first second of the process. A function is optimized
 * (TurboFan) once it has run about this many bytes of bytecode; a short run (a hunt over a folder
 * of EVTX files, the start of `run` beside an install) runs much of its code a few hundred times
 * and stops: optimizing it costs the compile jobs more CPU than it saves, on the core the scan
 * needs. After a second V8's default is back, so a long scan's hot loops tier up as before
 * (docs/performance.md#tier-up-budget-raised-for-the-first-second). Left alone when the user
 * sets V8's tiering.
 */
const START_UP_INTERRUPT_BUDGET = 400_000;
/** V8's default in Node 20 (`node --v8-options`). */
const DEFAULT_INTERRUPT_BUDGET = 67_584;
const START_UP_SECONDS = 1;
if (!tieringSetByUser()) {
  changeFlag(`--interrupt-budget=${START_UP_INTERRUPT_BUDGET}`, `--interrupt-budget=${DEFAULT_INTERRUPT_BUDGET}`);
  setTimeout(() => setFlagsFromString(`--interrupt-budget=${DEFAULT_INTERRUPT_BUDGET}`), START_UP_SECONDS * 1000).unref();
}

/**
 * Called by a scan before it starts workers: once scanning threads take every core, V8's
 * helper threads only wait for a core and then take it from a scanner, so their work moves
 * onto the scanning threads themselves (for the rest of the process):
 *
 * - Each isolate scavenges its young generation on its own thread. The helper tasks of V8's
 *   parallel scavenge (up to five on two cores: Node's platform pool has four threads) contend
 *   with the scanners; with a core to spare they run there, so fewer threads keep them. V8 reads
 *   the flag at each scavenge (`ScavengerCollector::NumberOfScavengeTasks`), so it can change at
 *   run time, unlike the marking flags (`--no-parallel-marking` set at run time crashes V8)
 *   (docs/performance.md#scavenges-without-helper-threads).
 * - Worker isolates, created after this, run their optimizing compiler on their own thread
 *   (`--no-concurrent-recompilation`, read when an isolate starts: the main isolate keeps its
 *   concurrent jobs). At the start of a two-thread scan, the compile jobs of both isolates and
 *   the scanners shared the two cores: a worker's optimized code came late, and it ran its
 *   first tasks unoptimized for longer (docs/performance.md#workers-optimize-on-their-own-thread).
 */
export function yieldCoresToScanners(scanningThreads: number): void {
  if (scanningThreads < availableParallelism()) return;
  changeFlag('--no-parallel-scavenge', '--parallel-scavenge');
  changeFlag('--no-concurrent-recompilation', '--concurrent-recompilation');
  coresYielded = true;
}

let coresYielded = false;

/**
 * For a scan that stopped its workers before they scanned (parallel/threads.ts decideAfterLoad):
 * its one thread scavenges with V8's helpers again, as any one-thread scan. The recompilation
 * flag concerned only the workers' isolates, now gone.
 */
export function reclaimCores(): void {
  if (!coresYielded) return;
  setFlagsFromString('--parallel-scavenge');
  coresYielded = false;
}
