/**
 * One full garbage collection per thread, once its first batch of events is detected: by then
 * the rules are loaded and compiled and the rule index is built for the events' logsource.
 *
 * Loading and compiling a large rule set leaves tens of MB of garbage in the old generation
 * (YAML documents and their nodes, condition parse trees, automaton construction), and a scan
 * promotes so little that V8 starts no full GC for a long time: that garbage stayed resident
 * through the whole scan, in every thread (docs/performance.md#start-up-garbage-collection).
 *
 * `gc` comes from a fresh context: start-flags.ts sets --expose-gc before any isolate is created
 * but the main one, whose global object is already made. Without the flag (tests import the
 * modules directly) this does nothing.
 */
import { runInNewContext } from 'node:vm';

let done = false;

export function shedStartupGarbage(): void {
  if (done) return;
  done = true;
  const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
  gc?.();
}
