import type { CorrelationMatch } from '../alerts/detector.js';
import type { FormattedAlert } from '../alerts/formatted.js';
import { sizeBeyond } from '../outputs/buffered.js';

/**
 * A worker's alerts of consecutive events, as the main thread needs them. Unordered scans get
 * them as UTF-8 bytes, encoded in the worker where the text is made and transferred, not
 * copied: the main thread writes them without ever holding the strings (a structured clone of
 * a task's alert strings cost it time deserializing and collecting them, taken from the
 * workers), and the worker's strings die young
 * (docs/performance.md#alert-blocks-as-transferred-bytes).
 */
export interface AlertBlock {
  task: number;
  /** The alerts' output, back to back; empty in ordered scans. */
  bytes: Uint8Array;
  /** End offset of each alert's output in `bytes` (unordered scans). */
  ends: Uint32Array;
  /** Each alert's input position: correlation alerts are merged in by it, as one thread orders them. */
  seqs: Float64Array;
  /** Alerts per rule key for the summary, in order of first alert (`first`: its index in the block). */
  rules: Array<{ rule: string; title: string; count: number; first: number }>;
  /** Matches of rules that correlations refer to, of events whose alerts are all in this block or before. */
  matches: CorrelationMatch[];
  /** Ordered scans (ORDER BY + LIMIT), last block of a task: the task's alerts that can still make the limit. */
  held?: FormattedAlert[];
}

/** Bytes per block: ~500 SigmaHQ alerts, so a 1M-event stress scan posts ~1,100 blocks. */
export const BLOCK_BYTES = 1 << 20;

/**
 * Alert bytes that tasks run ahead of the one being delivered may hold before no scanner gets a
 * new task. A scanner that is slower than the others (the main thread writes the output too, and
 * a busy host may stall it) holds up delivery while the others run ahead. Past this, the
 * scanners that ran ahead wait for delivery: a bound a normal run stays under
 * (docs/performance.md#held-alert-bytes).
 */
export const HELD_BYTES_LIMIT = 16 * 1024 * 1024;

/**
 * Builds a worker's blocks: alerts are encoded as they are formatted, into a buffer of its
 * own (transferable) that is posted when full and at the end of the task.
 */
export class BlockBuilder {
  /** Allocated on the first alert, so ordered scans and alert-free tasks never allocate one. */
  private bytes = Buffer.alloc(0);
  private length = 0;
  private ends: number[] = [];
  private seqs: number[] = [];
  private rules = new Map<string, { rule: string; title: string; count: number; first: number }>();
  private matches: CorrelationMatch[] = [];
  /** Matches queued for the batch being added; those before `next` are in the block. */
  private pending: CorrelationMatch[] = [];
  private next = 0;

  /** `spare`: buffers of blocks already written, given back by the main thread (see SpareBuffers). */
  constructor(
    private readonly task: number,
    private readonly post: (block: AlertBlock) => void,
    private readonly spare?: SpareBuffers,
  ) {}

  /**
   * Matches of the events whose alerts come next, in input order. Each joins the block that
   * holds the alerts of its event and before (the main thread merges its correlation alerts
   * in there by position), so it waits for the first alert of a later event, or the batch's end.
   */
  queueMatches(matches: readonly CorrelationMatch[]): void {
    for (const m of matches) this.pending.push(m);
  }

  /** An alert of an unordered scan, with its output text. */
  add(seq: number, rule: string, title: string, text: string): void {
    this.takeMatchesBefore(seq);
    const size = sizeBeyond(this.bytes.length - this.length, text);
    if (size > 0) {
      if (this.length > 0) this.flush();
      // Its own ArrayBuffer (not a slice of Node's pool), so it can be transferred.
      const capacity = Math.max(BLOCK_BYTES, size);
      const reused = this.spare?.take(capacity);
      this.bytes = reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(capacity);
    }
    this.length += this.bytes.write(text, this.length);
    this.ends.push(this.length);
    this.countRule(seq, rule, title);
  }

  /** An alert of an ordered scan: only counted here, the task's collector holds the alert itself. */
  count(seq: number, rule: string, title: string): void {
    this.takeMatchesBefore(seq);
    this.countRule(seq, rule, title);
  }

  /** Every alert of the batch has been added: its remaining matches join the block. */
  endBatch(): void {
    this.takeMatchesBefore(Infinity);
    this.pending = [];
    this.next = 0;
  }

  /** Posts what is left (the task's last block), with the ordered scan's held alerts if any. */
  finish(held?: FormattedAlert[]): void {
    if (this.seqs.length > 0 || this.matches.length > 0 || held) this.flush(held);
  }

  private takeMatchesBefore(seq: number): void {
    while (this.next < this.pending.length && this.pending[this.next]!.seq < seq) this.matches.push(this.pending[this.next++]!);
  }

  private countRule(seq: number, rule: string, title: string): void {
    const entry = this.rules.get(rule);
    if (entry) entry.count += 1;
    else this.rules.set(rule, { rule, title, count: 1, first: this.seqs.length });
    this.seqs.push(seq);
  }

  private flush(held?: FormattedAlert[]): void {
    const block: AlertBlock = {
      task: this.task,
      bytes: this.bytes.subarray(0, this.length),
      ends: Uint32Array.from(this.ends),
      seqs: Float64Array.from(this.seqs),
      rules: [...this.rules.values()],
      matches: this.matches,
    };
    if (held) block.held = held;
    this.post(block);
    // The posted buffer now belongs to the main thread.
    this.bytes = Buffer.alloc(0);
    this.length = 0;
    this.ends = [];
    this.seqs = [];
    this.rules = new Map();
    this.matches = [];
  }
}

/**
 * Block buffers the main thread has written and given back (transferred again), reused for the
 * next blocks. Allocating a fresh 1 MiB buffer per block and freeing it on the other thread
 * left tens of MB of malloc arena resident for the worker; reused, a few buffers go round
 * (docs/performance.md#spare-block-buffers).
 */
export class SpareBuffers {
  /**
   * As many as a scanner can have out at once: the blocks of tasks that ran ahead and a couple
   * in delivery. The held limit stops only new tasks: the tasks a scanner is running and has
   * queued still make blocks past it. A buffer dropped for want of room is allocated again at
   * the next run-ahead, and the dropped one, promoted while it waited, stays until a full GC;
   * with twice the held limit the scanners allocate only what circulates
   * (docs/performance.md#spare-block-buffers). Still a bound: buffers beyond it (a rule set that
   * alerts on every event, many times over) are dropped, not kept for the rest of the scan.
   */
  static readonly KEPT = (2 * HELD_BYTES_LIMIT) / BLOCK_BYTES;
  private readonly buffers: ArrayBuffer[] = [];

  give(buffer: ArrayBuffer): void {
    if (this.buffers.length < SpareBuffers.KEPT) this.buffers.push(buffer);
  }

  /** A spare buffer of at least `size` bytes, if one is left. */
  take(size: number): ArrayBuffer | undefined {
    const i = this.buffers.findIndex((b) => b.byteLength >= size);
    return i === -1 ? undefined : this.buffers.splice(i, 1)[0];
  }
}
