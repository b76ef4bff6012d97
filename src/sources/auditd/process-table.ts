/**
 * What each host's processes are running, learned from the events read so far, so a child's
 * event can name its parent (`ParentImage`, `ParentCommandLine` from its `ppid`).
 *
 * - A successful execve sets the pid's entry (image and command line of the new program).
 * - Any other syscall event (connect, open, …) of a pid not in the table adds it from the
 *   record's `exe` (and PROCTITLE): that is what the process runs at that moment. It never
 *   overwrites an entry. Failed execves are not used: they come from a fork child in the middle
 *   of a PATH search, whose `exe` is still its parent's program and is about to be replaced (in
 *   the OTRF AUOMS set, rows out of serial order would otherwise name that stale image).
 * - A pid never seen has no entry: the parent fields are then absent, never guessed.
 * - Bounded: at most MAX_PROCESSES entries per reader (one input) (all hosts together); the entry set or
 *   refreshed longest ago is evicted first. 65,536 covers the default pid_max (32,768, or 4 M on
 *   large hosts where only the recently active pids matter) at about 200 bytes per entry.
 */
export const MAX_PROCESSES = 65_536;

export interface ProcessInfo {
  image?: string;
  commandLine?: string;
}

export class ProcessTable {
  private readonly entries = new Map<string, ProcessInfo>();

  constructor(private readonly cap = MAX_PROCESSES) {}

  get(host: string | undefined, pid: number): ProcessInfo | undefined {
    return this.entries.get(keyOf(host, pid));
  }

  /** The process now runs `info` (an execve). */
  set(host: string | undefined, pid: number, info: ProcessInfo): void {
    const key = keyOf(host, pid);
    this.entries.delete(key); // re-inserted last: the newest entry
    this.entries.set(key, info);
    this.evict();
  }

  /** The process was seen running `info`; ignored when the table already knows it. */
  observe(host: string | undefined, pid: number, info: ProcessInfo): void {
    const key = keyOf(host, pid);
    if (this.entries.has(key)) return;
    this.entries.set(key, info);
    this.evict();
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    if (this.entries.size > this.cap) this.entries.delete(this.entries.keys().next().value!);
  }
}

function keyOf(host: string | undefined, pid: number): string {
  return host === undefined ? String(pid) : `${host}\0${pid}`;
}
