/**
 * `--block`: kill the traced process tree on the first alert at level high or above.
 *
 * It acts after the fact: the alert is raised by a system call that has already returned, so
 * the action that triggered it (a process started, a connection made, a file written) has
 * happened. Killing stops what would come next. Processes the tree starts while the kill is in
 * flight are killed as soon as they appear in the trace (`killLate`).
 */
export const BLOCKING_LEVELS = new Set(['high', 'critical']);

export class Blocker {
  /** Set once the tree has been killed. */
  triggered?: { rule: string; level: string; at: number };
  readonly killed = new Set<number>();

  constructor(private readonly enabled: boolean, private readonly kill: (pid: number) => unknown = killPid) {}

  /** Whether an alert at this level must stop the tree now (first time only). */
  shouldBlock(level: string | undefined): boolean {
    return this.enabled && this.triggered === undefined && level !== undefined && BLOCKING_LEVELS.has(level.toLowerCase());
  }

  /** SIGKILL every process of the tree (strace itself is not in `pids`, so it reports the deaths). */
  killTree(pids: Iterable<number>, rule: string, level: string, at: number): void {
    this.triggered = { rule, level, at };
    this.killLate(pids);
  }

  /** After a block, kill processes not killed yet (children created during the kill). */
  killLate(pids: Iterable<number>): void {
    if (!this.triggered) return;
    for (const pid of pids) {
      if (this.killed.has(pid)) continue;
      this.killed.add(pid);
      this.kill(pid);
    }
  }
}

/** SIGKILL; false when the process was already gone (ESRCH) or is not ours to kill. */
export function killPid(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
