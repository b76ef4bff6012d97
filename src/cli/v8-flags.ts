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
 * Called by a scan before it starts workers: once scanning threads take every core, each
 * isolate scavenges its young generation on its own thread (for the rest of the process).
 * The helper tasks of V8's parallel scavenge (up to five on two cores: Node's platform pool
 * has four threads) then only wait for a core and contend with the scanners; with a core to
 * spare they run there, so fewer threads keep them. V8 reads the flag at each scavenge
 * (`ScavengerCollector::NumberOfScavengeTasks`), so it can change at run time, unlike the
 * marking flags (`--no-parallel-marking` set at run time crashes V8). Measured on 200k events
 * with SigmaHQ process_creation, two threads on two cores, medians of 6–8 interleaved runs:
 * workstation mix 3.48 → 3.37 s, stress mix 3.78 → 3.65 s.
 */
export function scavengeWithoutHelpers(scanningThreads: number): void {
  if (scanningThreads >= availableParallelism()) setFlagsFromString('--no-parallel-scavenge');
}
