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
 *   MAX_COMMAND_LINE_CHARS of command lines; past either the entry used longest ago (set, or
 *   looked up as a parent) is evicted, and a later child of that pid gets ParentProcessId without
 *   ParentImage/ParentCommandLine. 65,536 covers the default pid_max (32,768; on hosts with
 *   pid_max 4 M only recently active pids matter). A command line longer than
 *   MAX_COMMAND_LINE_CHARS on its own is not kept: the entry holds the image alone (its
 *   ParentCommandLine is then absent, never cut), and no other entry is evicted for it.
 * - The strings returned share no memory with log lines (V8 keeps a whole line alive behind a
 *   substring of it).
 *
 * Storage makes no garbage per entry (a Map of objects and copied strings did: every entry lives
 * ~65k events, so it was promoted and died in old space, and the churn grew the old generation
 * with the input: docs/performance.md#auditd-process-table). Entries are slots in typed
 * arrays, grown by doubling up to the cap and never shrunk:
 * - an open-addressing hash index (Int32Array, linear probing, backward-shift deletion) on
 *   (host id, pid);
 * - an intrusive doubly linked LRU list (Int32Array prev/next);
 * - hosts and images interned to small ids with reference counts (a string is copied once and
 *   dropped when no entry uses it, so the interning maps hold at most one string per entry);
 * - command lines as UTF-16 code units in an arena of 32-unit blocks (Uint16Array, a free list of
 *   blocks chained per entry), decoded again on `get` (once per child event), lone surrogates
 *   included. The arena needs at most MAX_COMMAND_LINE_CHARS / 32 + MAX_PROCESSES blocks, so
 *   once the caps are met a command line always finds room.
 * 40 bytes per entry (slot arrays, index at most half full) plus 68 bytes per started 32
 * characters of command line; at most ~40 MB if every command line is long (16 Mi characters in
 * blocks).
 */
import { grown } from '../../compact/grown.js';
import { Interner } from '../../compact/interner.js';
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

/** Command line storage unit, in UTF-16 code units. */
const BLOCK = 32;
const BLOCK_SHIFT = 5;
const NONE = -1;
/** Host id of events without a host. */
const NO_HOST = -1;
/** First allocation of slots and blocks (then doubled as needed). */
const INITIAL_SLOTS = 256;
const INITIAL_BLOCKS = 512;
/** String.fromCharCode.apply arguments per call when decoding a long command line. */
const DECODE_CHUNK = 8192;

export class ProcessTable {
  private readonly cap: number;
  private readonly maxChars: number;
  private readonly maxBlocks: number;

  // Per slot.
  private pids = new Float64Array(0);
  private hosts = new Int32Array(0);
  private images = new Int32Array(0);
  /** Command line length in code units, NONE when the entry has none. */
  private lengths = new Int32Array(0);
  /** First block of the command line, NONE when it is empty or absent. */
  private firstBlocks = new Int32Array(0);
  /** LRU list (prev towards the oldest); `next` also chains free slots. */
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private slotCount = 0;
  private slotsUsed = 0;
  private freeSlot = NONE;
  private oldest = NONE;
  private newest = NONE;
  private count = 0;
  private chars = 0;

  /** Hash index: slot + 1, 0 when empty. */
  private index = new Int32Array(0);
  private mask = 0;

  // Command line arena.
  private arena = new Uint16Array(0);
  private blockNext = new Int32Array(0);
  private blockCount = 0;
  private blocksUsed = 0;
  private freeBlock = NONE;

  private readonly hostIds = new Interner();
  private readonly imageIds = new Interner();
  private readonly parts: string[] = [];

  constructor(cap = MAX_PROCESSES, maxChars = MAX_COMMAND_LINE_CHARS) {
    this.cap = Math.max(1, Math.floor(cap));
    this.maxChars = Math.max(0, Math.floor(maxChars));
    this.maxBlocks = Math.ceil(this.maxChars / BLOCK) + this.cap;
    this.growSlots(Math.min(this.cap, INITIAL_SLOTS));
  }

  /** The entry of a parent; it becomes the most recently used (a busy parent stays in). */
  get(host: string | undefined, pid: number): ProcessInfo | undefined {
    const slot = this.find(host, pid);
    if (slot === NONE) return undefined;
    this.unlink(slot);
    this.linkNewest(slot);
    const imageId = this.images[slot]!;
    return { image: imageId === NONE ? undefined : this.imageIds.text(imageId), commandLine: this.decode(slot) };
  }

  /** The process now runs `info` (an execve). */
  set(host: string | undefined, pid: number, info: ProcessInfo): void {
    const slot = this.find(host, pid);
    if (slot === NONE) {
      this.add(host, pid, info);
      return;
    }
    // Replaced in place: the same as dropping the entry and adding it again as the newest.
    const image = info.image === undefined ? NONE : this.imageIds.acquire(info.image);
    this.unlink(slot);
    this.count--;
    this.releaseData(slot);
    this.images[slot] = image;
    this.place(slot, info.commandLine);
  }

  /** The process was seen running `info`; ignored when the table already knows it. */
  observe(host: string | undefined, pid: number, info: ProcessInfo): void {
    if (this.find(host, pid) === NONE) this.add(host, pid, info);
  }

  /** The process ended (exit_group). */
  exit(host: string | undefined, pid: number): void {
    const slot = this.find(host, pid);
    if (slot !== NONE) this.remove(slot);
  }

  get size(): number {
    return this.count;
  }

  private add(host: string | undefined, pid: number, info: ProcessInfo): void {
    const hostId = host === undefined ? NO_HOST : this.hostIds.acquire(host);
    const image = info.image === undefined ? NONE : this.imageIds.acquire(info.image);
    if (this.count >= this.cap) this.remove(this.oldest);
    const slot = this.allocSlot();
    this.pids[slot] = pid;
    this.hosts[slot] = hostId;
    this.images[slot] = image;
    this.insertIndex(slot);
    this.place(slot, info.commandLine);
  }

  /**
   * Stores the command line of `slot` (which holds its key and image, is indexed and is not in the
   * LRU list nor counted), evicting the entries used longest ago while the caps would be passed,
   * then makes it the newest entry.
   */
  private place(slot: number, commandLine: string | undefined): void {
    const length = commandLine === undefined || commandLine.length > this.maxChars ? NONE : commandLine.length;
    const needed = length === NONE ? 0 : length;
    while (this.oldest !== NONE && (this.count >= this.cap || this.chars + needed > this.maxChars)) this.remove(this.oldest);
    this.lengths[slot] = length;
    this.firstBlocks[slot] = needed === 0 ? NONE : this.write(commandLine!);
    this.chars += needed;
    this.count++;
    this.linkNewest(slot);
  }

  /** Drops a live entry. */
  private remove(slot: number): void {
    this.unlink(slot);
    this.count--;
    this.deleteIndex(slot);
    this.releaseData(slot);
    const host = this.hosts[slot]!;
    if (host !== NO_HOST) this.hostIds.release(host);
    this.next[slot] = this.freeSlot;
    this.freeSlot = slot;
  }

  /** Gives back the command line's blocks and characters and the image reference of `slot`. */
  private releaseData(slot: number): void {
    const length = this.lengths[slot]!;
    if (length > 0) {
      this.chars -= length;
      const first = this.firstBlocks[slot]!;
      let last = first;
      for (let n = (length - 1) >> BLOCK_SHIFT; n > 0; n--) last = this.blockNext[last]!;
      this.blockNext[last] = this.freeBlock;
      this.freeBlock = first;
    }
    this.lengths[slot] = NONE;
    this.firstBlocks[slot] = NONE;
    const image = this.images[slot]!;
    if (image !== NONE) this.imageIds.release(image);
    this.images[slot] = NONE;
  }

  private find(host: string | undefined, pid: number): number {
    let hostId = NO_HOST;
    if (host !== undefined) {
      const id = this.hostIds.lookup(host);
      if (id === undefined) return NONE;
      hostId = id;
    }
    const index = this.index;
    const mask = this.mask;
    const pids = this.pids;
    const hosts = this.hosts;
    for (let i = hashOf(hostId, pid) & mask; ; i = (i + 1) & mask) {
      const entry = index[i]!;
      if (entry === 0) return NONE;
      const slot = entry - 1;
      const p = pids[slot]!;
      if (hosts[slot] === hostId && (p === pid || (p !== p && pid !== pid))) return slot;
    }
  }

  private insertIndex(slot: number): void {
    const index = this.index;
    const mask = this.mask;
    let i = hashOf(this.hosts[slot]!, this.pids[slot]!) & mask;
    while (index[i] !== 0) i = (i + 1) & mask;
    index[i] = slot + 1;
  }

  /** Linear-probing deletion by shifting later entries of the cluster back: no tombstones. */
  private deleteIndex(slot: number): void {
    const index = this.index;
    const mask = this.mask;
    let i = hashOf(this.hosts[slot]!, this.pids[slot]!) & mask;
    while (index[i] !== slot + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; index[j] !== 0; j = (j + 1) & mask) {
      const other = index[j]! - 1;
      const home = hashOf(this.hosts[other]!, this.pids[other]!) & mask;
      // `other` may move back to the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        index[i] = index[j]!;
        i = j;
      }
    }
    index[i] = 0;
  }

  private unlink(slot: number): void {
    const before = this.prev[slot]!;
    const after = this.next[slot]!;
    if (before === NONE) this.oldest = after;
    else this.next[before] = after;
    if (after === NONE) this.newest = before;
    else this.prev[after] = before;
  }

  private linkNewest(slot: number): void {
    this.prev[slot] = this.newest;
    this.next[slot] = NONE;
    if (this.newest === NONE) this.oldest = slot;
    else this.next[this.newest] = slot;
    this.newest = slot;
  }

  private allocSlot(): number {
    if (this.freeSlot !== NONE) {
      const slot = this.freeSlot;
      this.freeSlot = this.next[slot]!;
      return slot;
    }
    if (this.slotsUsed === this.slotCount) this.growSlots(Math.min(this.cap, this.slotCount * 2));
    return this.slotsUsed++;
  }

  private growSlots(slots: number): void {
    this.pids = grown(this.pids, slots);
    this.hosts = grown(this.hosts, slots);
    this.images = grown(this.images, slots);
    this.lengths = grown(this.lengths, slots);
    this.firstBlocks = grown(this.firstBlocks, slots);
    this.prev = grown(this.prev, slots);
    this.next = grown(this.next, slots);
    this.slotCount = slots;
    // At most half full.
    let size = 16;
    while (size < slots * 2) size *= 2;
    this.index = new Int32Array(size);
    this.mask = size - 1;
    // Called when no slot is free: every slot in use holds an entry.
    for (let slot = 0; slot < this.slotsUsed; slot++) this.insertIndex(slot);
  }

  /** Copies `text` (not empty, at most maxChars long) into free blocks; the first block. */
  private write(text: string): number {
    const blocks = ((text.length - 1) >> BLOCK_SHIFT) + 1;
    let first = NONE;
    let last = NONE;
    let offset = 0;
    for (let n = 0; n < blocks; n++) {
      const block = this.allocBlock();
      if (last === NONE) first = block;
      else this.blockNext[last] = block;
      last = block;
      const arena = this.arena;
      const end = Math.min(text.length, offset + BLOCK);
      for (let at = block << BLOCK_SHIFT; offset < end; offset++, at++) arena[at] = text.charCodeAt(offset);
    }
    this.blockNext[last] = NONE;
    return first;
  }

  private allocBlock(): number {
    if (this.freeBlock !== NONE) {
      const block = this.freeBlock;
      this.freeBlock = this.blockNext[block]!;
      return block;
    }
    if (this.blocksUsed === this.blockCount) {
      // Cannot pass maxBlocks: the caps are met before a command line is written (see the class doc).
      const blocks = Math.min(this.maxBlocks, Math.max(INITIAL_BLOCKS, this.blockCount * 2));
      const arena = new Uint16Array(blocks << BLOCK_SHIFT);
      arena.set(this.arena);
      this.arena = arena;
      const blockNext = new Int32Array(blocks);
      blockNext.set(this.blockNext);
      this.blockNext = blockNext;
      this.blockCount = blocks;
    }
    return this.blocksUsed++;
  }

  private decode(slot: number): string | undefined {
    const length = this.lengths[slot]!;
    if (length === NONE) return undefined;
    if (length === 0) return '';
    const arena = this.arena;
    let block = this.firstBlocks[slot]!;
    if (length <= BLOCK) return fromCodes(arena.subarray(block << BLOCK_SHIFT, (block << BLOCK_SHIFT) + length));
    const parts = this.parts;
    for (let left = length; left > 0; left -= BLOCK) {
      const start = block << BLOCK_SHIFT;
      parts.push(fromCodes(arena.subarray(start, start + Math.min(BLOCK, left))));
      block = this.blockNext[block]!;
    }
    const text = parts.join('');
    parts.length = 0;
    return text;
  }
}

function fromCodes(codes: Uint16Array): string {
  if (codes.length <= DECODE_CHUNK) return String.fromCharCode.apply(null, codes as unknown as number[]);
  let text = '';
  for (let at = 0; at < codes.length; at += DECODE_CHUNK) text += String.fromCharCode.apply(null, codes.subarray(at, at + DECODE_CHUNK) as unknown as number[]);
  return text;
}

function hashOf(hostId: number, pid: number): number {
  let h = Math.imul((pid | 0) ^ ((pid / 4294967296) | 0) ^ Math.imul(hostId, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  return h;
}
