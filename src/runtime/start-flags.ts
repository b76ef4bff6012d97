import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flags a supplywatch process runs with from its start (worker threads included: flags
 * are process-wide). Set before the command's code is compiled (cached-start.ts), since V8 stamps
 * a code cache with a hash of the flags; v8-flags.ts sets them too, for the unbundled build.
 *
 * - Allocation-site pretenuring off: loading and compiling a large rule set (SigmaHQ) makes most
 *   allocation sites look long-lived, and V8 then allocates objects from those sites, parsed
 *   events among them, straight into the old generation, where each dies only at a full GC
 *   (docs/performance.md#v8-flags-no-allocation-site-pretenuring).
 * - `gc` exposed, for one full GC after start-up in each scanning thread (startup-garbage.ts).
 */
const START_FLAGS = ['--no-allocation-site-pretenuring', '--expose-gc'];

export function setStartFlags(): void {
  for (const flag of START_FLAGS) setFlagsFromString(flag);
}
