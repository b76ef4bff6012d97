/**
 * Every test file gets a temporary folder of its own as TMPDIR (os.tmpdir() reads it at each
 * call, and the commands the tests spawn inherit it), removed after the file's tests whether
 * they passed or not: a test never leaves what it made in the machine's /tmp.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// The machine's temporary folder, as found by the first test file of this worker.
const machineTmp = (process.env.SW_MACHINE_TMPDIR ??= process.env.TMPDIR ?? '/tmp');
const root = mkdtempSync(join(machineTmp, 'sw-test-'));
// Open to every user, sticky, as /tmp is: some tests run a child as another user (nobody).
chmodSync(root, 0o1777);
process.env.TMPDIR = root;
// The rule cache (sigma/rule-cache.ts) of the commands the tests spawn goes there too.
process.env.XDG_CACHE_HOME = join(root, 'cache');
// `run` picks the audit driver when root; the tests of `run` test strace unless they ask for audit
// (test/sensor/audit-*.test.ts), which holds one machine-wide receiver at a time.
process.env.SUPPLYWATCH_SENSOR ??= 'strace';

afterAll(() => {
  process.env.TMPDIR = machineTmp;
  rmSync(root, { recursive: true, force: true });
});
