/** An exited process as its exit entry names it (its lookup key). */
export interface Exit {
  /** TextStore handle of the ProcessGuid (a copy: the slot may be gone), or -1 for pid identity. */
  guid: number;
  /** Interned host id (a reference held by the entry). */
  host: number;
  pid: number;
  start: number;
}

/**
 * Exited processes to drop from lookup after the grace period, in exit order, at most `cap`
 * (past it the oldest entry is forgotten: that process then leaves by the cap). A ring of typed
 * arrays, since there is an entry per termination event.
 */
export class ExitQueue {
  private at = new Float64Array(0);
  private guids = new Int32Array(0);
  private hosts = new Int32Array(0);
  private pids = new Float64Array(0);
  private starts = new Float64Array(0);
  private head = 0;
  length = 0;

  constructor(private readonly cap: number) {}

  get full(): boolean {
    return this.length >= this.cap;
  }

  /** Adds an entry (not when full). */
  push(at: number, guid: number, host: number, pid: number, start: number): void {
    if (this.length === this.at.length) this.grow();
    const i = (this.head + this.length) % this.at.length;
    this.at[i] = at;
    this.guids[i] = guid;
    this.hosts[i] = host;
    this.pids[i] = pid;
    this.starts[i] = start;
    this.length++;
  }

  /** The entries, oldest first, with their times (read only: a checkpoint). */
  *entries(): IterableIterator<Exit & { at: number }> {
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) % this.at.length;
      yield { at: this.at[i]!, guid: this.guids[i]!, host: this.hosts[i]!, pid: this.pids[i]!, start: this.starts[i]! };
    }
  }

  firstAt(): number {
    return this.at[this.head]!;
  }

  shift(): Exit {
    const i = this.head;
    this.head = (i + 1) % this.at.length;
    this.length--;
    return { guid: this.guids[i]!, host: this.hosts[i]!, pid: this.pids[i]!, start: this.starts[i]! };
  }

  private grow(): void {
    const old = this.at.length;
    const size = Math.min(this.cap, Math.max(64, old * 2));
    const order = <T extends Float64Array | Int32Array>(from: T, to: T): T => {
      for (let k = 0; k < this.length; k++) to[k] = from[(this.head + k) % old]!;
      return to;
    };
    this.at = order(this.at, new Float64Array(size));
    this.guids = order(this.guids, new Int32Array(size));
    this.hosts = order(this.hosts, new Int32Array(size));
    this.pids = order(this.pids, new Float64Array(size));
    this.starts = order(this.starts, new Float64Array(size));
    this.head = 0;
  }
}
