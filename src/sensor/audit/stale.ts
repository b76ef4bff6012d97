import { commandLineOf, auditStatus, deleteRules, supplywatchKeys } from './control.js';
import { existsSync } from 'node:fs';
import { DIRTY_PATH } from './janitor.js';
import { RECEIVER_PREFIX } from './receiver.js';

/**
 * Called under the lock, before anything else: what a sensor left when it and its janitor were
 * both killed. Every rule keyed with KEY_PREFIX is removed (only the lock's holder loads such
 * rules, so none belongs to a live sensor), and a private auditd still holding the audit socket
 * is stopped (`pid`: the audit daemon's, from auditctl -s). Returns what was removed.
 */
export function removeStale(pid: number): { keys: string[]; receiver?: number } {
  // Rules can be left only by a janitor that died before its end (janitor.ts: DIRTY_PATH).
  const keys = existsSync(DIRTY_PATH) ? supplywatchKeys() : [];
  for (const key of keys) deleteRules(key);
  if (pid > 0 && commandLineOf(pid)?.includes(RECEIVER_PREFIX)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
    // The kernel frees the audit socket when the killed daemon's netlink socket closes.
    const deadline = Date.now() + 2_000;
    while (auditStatus().pid === pid && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    return { keys, receiver: pid };
  }
  return { keys };
}
