/**
 * V8 flags for the whole process (worker threads included), set before the rules are loaded:
 * main.ts imports this module first.
 *
 * Allocation-site pretenuring: loading and compiling a large rule set (SigmaHQ) makes most
 * allocation sites look long-lived, and V8 then allocates objects from those sites, parsed
 * events among them, straight into the old generation, where each dies only at a full GC.
 * Measured on 200k Sysmon events with the SigmaHQ process_creation rules, one thread: with
 * pretenuring 299 MB promoted, 5.5 s user CPU, 267 MB peak RSS; without it 56 MB, 5.0 s, 162 MB.
 * V8 flags are process-wide, so worker threads skip it too (two threads, 200k stress events:
 * 9.5 -> 8.8 s CPU, 570 -> 400 MB peak RSS).
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-allocation-site-pretenuring');
// For one full GC after start-up, in each scanning thread (startup-garbage.ts).
setFlagsFromString('--expose-gc');

/**
 * Called by a scan before it starts workers: once scanning threads take every core, V8's
 * helper threads only wait for a core and then take it from a scanner, so their work moves
 * onto the scanning threads themselves (for the rest of the process):
 *
 * - Each isolate scavenges its young generation on its own thread. The helper tasks of V8's
 *   parallel scavenge (up to five on two cores: Node's platform pool has four threads) contend
 *   with the scanners; with a core to spare they run there, so fewer threads keep them. V8 reads
 *   the flag at each scavenge (`ScavengerCollector::NumberOfScavengeTasks`), so it can change at
 *   run time, unlike the marking flags (`--no-parallel-marking` set at run time crashes V8).
 *   200k events with SigmaHQ process_creation, two threads on two cores, medians of 6–8
 *   interleaved runs: workstation mix 3.48 → 3.37 s, stress mix 3.78 → 3.65 s.
 * - Worker isolates, created after this, run their optimizing compiler on their own thread
 *   (`--no-concurrent-recompilation`, read when an isolate starts: the main isolate keeps its
 *   concurrent jobs). In the first ~2 s of a two-thread scan, the compile jobs of both isolates
 *   and the scanners shared the two cores (the helper threads took ~40% of the CPU): a worker's
 *   optimized code came late, and it ran its first tasks unoptimized for longer. 200k
 *   workstation events, two threads, medians of 8 interleaved runs: 4.09 → 3.97 s, CPU 7.6 →
 *   7.35 s; at 1M events, 4 of 5 interleaved pairs 0.18–0.39 s faster (one 0.09 s slower), CPU
 *   lower in all 5.
 */
export function yieldCoresToScanners(scanningThreads: number): void {
  if (scanningThreads < availableParallelism()) return;
  setFlagsFromString('--no-parallel-scavenge');
  setFlagsFromString('--no-concurrent-recompilation');
}
