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
 * - An exit_group drops the pid's entry: the kernel may hand the pid to an unrelated process, whose
 *   children must not be given the old program as their parent.
 * - A pid never seen (or exited, or evicted) has no entry: the parent fields are then absent, never
 *   guessed.
 * - Bounded: at most MAX_PROCESSES entries per reader (one input, all hosts together), and
 *   MAX_COMMAND_LINE_CHARS of command lines; past either the entry used longest ago (set, or looked up as a parent) is evicted, and a later child of that
 *   pid gets ParentProcessId without ParentImage/ParentCommandLine. 65,536 covers the default
 *   pid_max (32,768; on hosts with pid_max 4 M only recently active pids matter) at about 170 bytes
 *   per entry (11 MB, measured on the bench log), because entries hold copies of their strings,
 *   never slices of log lines (see `owned`).
 */
export const MAX_PROCESSES = 65_536;
/**
 * Bound on the command lines' total length (characters), for logs of long argvs (compiler
 * invocations run to tens of KB): past it the entries used longest ago are evicted as well.
 * 16 Mi characters is 256 per entry at the entry cap; a real argv is at most ~2 MB (ARG_MAX).
 */
export const MAX_COMMAND_LINE_CHARS = 16 * 2 ** 20;

export interface ProcessInfo {
  image?: string;
  commandLine?: string;
}

export class ProcessTable {
  /** Keyed by the pid alone when there is no host (a number key costs no string). */
  private readonly entries = new Map<number | string, ProcessInfo>();
  /** One copy of each image: most processes run one of a few programs. */
  private readonly images = new Map<string, string>();
  private chars = 0;

  constructor(
    private readonly cap = MAX_PROCESSES,
    private readonly maxChars = MAX_COMMAND_LINE_CHARS,
  ) {}

  /** The entry of a parent; it becomes the most recently used (a busy parent stays in). */
  get(host: string | undefined, pid: number): ProcessInfo | undefined {
    const key = keyOf(host, pid);
    const info = this.entries.get(key);
    if (info !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, info);
    }
    return info;
  }

  /** The process now runs `info` (an execve). */
  set(host: string | undefined, pid: number, info: ProcessInfo): void {
    const key = keyOf(host, pid);
    this.remove(key); // re-inserted last: the newest entry
    this.add(key, info);
  }

  /** The process was seen running `info`; ignored when the table already knows it. */
  observe(host: string | undefined, pid: number, info: ProcessInfo): void {
    const key = keyOf(host, pid);
    if (!this.entries.has(key)) this.add(key, info);
  }

  /** The process ended (exit_group). */
  exit(host: string | undefined, pid: number): void {
    this.remove(keyOf(host, pid));
  }

  get size(): number {
    return this.entries.size;
  }

  private add(key: number | string, info: ProcessInfo): void {
    const entry = this.owned(info);
    this.entries.set(key, entry);
    this.chars += entry.commandLine?.length ?? 0;
    while (this.entries.size > this.cap || (this.chars > this.maxChars && this.entries.size > 0)) {
      this.remove(this.entries.keys().next().value!);
    }
  }

  private remove(key: number | string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.chars -= entry.commandLine?.length ?? 0;
    this.entries.delete(key);
  }

  /**
   * The info with its own strings. An image or command line is a substring (or a concatenation of
   * substrings) of a log line, and V8 keeps the whole line alive behind a substring: measured on
   * the bench log, ~1 KB per entry instead of ~170 bytes. Images are shared through `images`
   * (emptied when it reaches MAX_IMAGES, so it stays small whatever the log holds).
   */
  private owned(info: ProcessInfo): ProcessInfo {
    let image = info.image;
    if (image !== undefined) {
      const known = this.images.get(image);
      if (known !== undefined) image = known;
      else {
        if (this.images.size >= MAX_IMAGES) this.images.clear();
        image = copy(image);
        this.images.set(image, image);
      }
    }
    return { image, commandLine: info.commandLine === undefined ? undefined : copy(info.commandLine) };
  }
}

const MAX_IMAGES = 1024;

function keyOf(host: string | undefined, pid: number): number | string {
  return host === undefined ? pid : `${host}\0${pid}`;
}

/** An exact copy that shares no memory with `text` (a JSON round trip keeps lone surrogates too). */
function copy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
