/**
 * Strings kept outside the JavaScript heap, for state that lives long and dies in large numbers
 * (the command lines of the process tree): a string held for 100,000 events is promoted to V8's
 * old generation and dies there, and with a process started per event the old generation filled
 * with dead command lines up to ~4× the live size before a full GC (docs/performance.md#process-table).
 * Here a string is bytes in a Buffer block, and `get` decodes a fresh copy, which dies young.
 *
 * - Latin-1 text (every code unit < 256: ASCII paths and arguments) takes a byte per character,
 *   other text two (UTF-16 code units, lone surrogates included): decoding gives the same string.
 * - Blocks come in size classes (16, 24, 32, 48, … bytes: at most a third wasted), one Buffer per
 *   class grown by doubling, with a free list; a freed block is reused by the next string of its
 *   class. Strings longer than the largest class (64 KiB) are kept as copied strings (rare).
 */
import { grown } from './grown.js';
const SIZES: number[] = [];
for (let size = 16; size <= 65_536; size *= 2) SIZES.push(size, size + size / 2);
SIZES.pop(); // the last class is 64 KiB
const LARGEST = SIZES[SIZES.length - 1]!;
const INITIAL_BLOCKS = 64;
const NONE = -1;
/** `kinds` values past the classes. */
const BIG = 0x7e;
const WIDE = 0x80;
const LATIN1 = /^[\0-\xff]*$/;

export class TextStore {
  // Per handle.
  private offsets = new Int32Array(0);
  private lengths = new Int32Array(0);
  /** Size class | WIDE, or BIG. */
  private kinds = new Uint8Array(0);
  private handleCount = 0;
  private handlesUsed = 0;
  /** Free handles, chained through `offsets`. */
  private freeHandle = NONE;
  private live = 0;

  private readonly pools: Buffer[] = SIZES.map(() => Buffer.alloc(0));
  private readonly poolBlocks: number[] = SIZES.map(() => 0);
  private readonly freeBlocks: number[][] = SIZES.map(() => []);
  private readonly big = new Map<number, string>();

  /** Stores a copy of `text`; its handle. */
  put(text: string): number {
    const handle = this.allocHandle();
    const latin1 = LATIN1.test(text);
    const bytes = latin1 ? text.length : text.length * 2;
    this.lengths[handle] = text.length;
    if (bytes > LARGEST) {
      this.kinds[handle] = BIG;
      this.big.set(handle, copy(text));
      return handle;
    }
    let kind = 0;
    while (SIZES[kind]! < bytes) kind++;
    const offset = this.allocBlock(kind);
    this.pools[kind]!.write(text, offset, latin1 ? 'latin1' : 'utf16le');
    this.offsets[handle] = offset;
    this.kinds[handle] = latin1 ? kind : kind | WIDE;
    return handle;
  }

  get(handle: number): string {
    const kind = this.kinds[handle]!;
    if (kind === BIG) return this.big.get(handle)!;
    const wide = (kind & WIDE) !== 0;
    const offset = this.offsets[handle]!;
    const end = offset + (wide ? this.lengths[handle]! * 2 : this.lengths[handle]!);
    return this.pools[kind & ~WIDE]!.toString(wide ? 'utf16le' : 'latin1', offset, end);
  }

  /** Whether the string of `handle` is `text`, without decoding it. */
  equals(handle: number, text: string): boolean {
    if (this.lengths[handle] !== text.length) return false;
    const kind = this.kinds[handle]!;
    if (kind === BIG) return this.big.get(handle) === text;
    const pool = this.pools[kind & ~WIDE]!;
    const offset = this.offsets[handle]!;
    if (kind & WIDE) {
      for (let i = 0; i < text.length; i++) if (pool.readUInt16LE(offset + 2 * i) !== text.charCodeAt(i)) return false;
    } else {
      for (let i = 0; i < text.length; i++) if (pool[offset + i] !== text.charCodeAt(i)) return false;
    }
    return true;
  }

  release(handle: number): void {
    const kind = this.kinds[handle]!;
    if (kind === BIG) this.big.delete(handle);
    else this.freeBlocks[kind & ~WIDE]!.push(this.offsets[handle]!);
    this.offsets[handle] = this.freeHandle;
    this.freeHandle = handle;
    this.live--;
  }

  /** Strings held. */
  get size(): number {
    return this.live;
  }

  private allocHandle(): number {
    this.live++;
    if (this.freeHandle !== NONE) {
      const handle = this.freeHandle;
      this.freeHandle = this.offsets[handle]!;
      return handle;
    }
    if (this.handlesUsed === this.handleCount) {
      const count = Math.max(256, this.handleCount * 2);
      this.offsets = grown(this.offsets, count);
      this.lengths = grown(this.lengths, count);
      this.kinds = grown(this.kinds, count);
      this.handleCount = count;
    }
    return this.handlesUsed++;
  }

  /** A free block of class `kind`: its byte offset in the class's pool. */
  private allocBlock(kind: number): number {
    const free = this.freeBlocks[kind]!;
    if (free.length > 0) return free.pop()!;
    const size = SIZES[kind]!;
    const used = this.poolBlocks[kind]!;
    const pool = this.pools[kind]!;
    if ((used + 1) * size > pool.length) {
      const larger = Buffer.alloc(Math.max(INITIAL_BLOCKS, (pool.length / size) * 2) * size);
      pool.copy(larger);
      this.pools[kind] = larger;
    }
    this.poolBlocks[kind] = used + 1;
    return used * size;
  }
}

/** An exact copy that shares no memory with `text` (a slice would keep a whole log chunk alive). */
export function copy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
