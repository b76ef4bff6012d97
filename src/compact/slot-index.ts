/**
 * A hash index from keys to slots of a struct-of-arrays table, with no heap object per key: a
 * Map keyed by strings promoted a key string per process to V8's old generation, where it died
 * (docs/performance.md#process-table). The caller hashes its key and says whether a slot holds
 * it; the index keeps each entry's hash, so it never needs the key again.
 *
 * Open addressing, linear probing, at most half full, deletion by shifting later entries of the
 * cluster back (no tombstones).
 */
const EMPTY = 0;

export class SlotIndex {
  /** slot + 1, EMPTY when free. */
  private entries = new Int32Array(16);
  private hashes = new Int32Array(16);
  private mask = 15;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The slot with this hash for which `holds` is true, else -1. */
  find(hash: number, holds: (slot: number) => boolean): number {
    const { entries, hashes, mask } = this;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const entry = entries[i]!;
      if (entry === EMPTY) return -1;
      if (hashes[i] === hash && holds(entry - 1)) return entry - 1;
    }
  }

  insert(slot: number, hash: number): void {
    if ((this.count + 1) * 2 > this.entries.length) this.resize(this.entries.length * 2);
    this.place(slot, hash);
    this.count++;
  }

  /** `slot` (indexed under `hash`) gives its entry to `by`, which holds the same key. */
  replace(slot: number, by: number, hash: number): void {
    this.entries[this.position(slot, hash)] = by + 1;
  }

  remove(slot: number, hash: number): void {
    const { entries, hashes, mask } = this;
    let i = this.position(slot, hash);
    for (let j = (i + 1) & mask; entries[j] !== EMPTY; j = (j + 1) & mask) {
      const home = hashes[j]! & mask;
      // The entry at j may move back to the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        entries[i] = entries[j]!;
        hashes[i] = hashes[j]!;
        i = j;
      }
    }
    entries[i] = EMPTY;
    this.count--;
  }

  private position(slot: number, hash: number): number {
    const { entries, mask } = this;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      if (entries[i] === slot + 1) return i;
      if (entries[i] === EMPTY) throw new Error(`slot ${slot} is not in the index`);
    }
  }

  private place(slot: number, hash: number): void {
    const { entries, mask } = this;
    let i = hash & mask;
    while (entries[i] !== EMPTY) i = (i + 1) & mask;
    entries[i] = slot + 1;
    this.hashes[i] = hash;
  }

  private resize(size: number): void {
    const { entries, hashes } = this;
    this.entries = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < entries.length; i++) if (entries[i] !== EMPTY) this.place(entries[i]! - 1, hashes[i]!);
  }
}

/** Hash of a host id and a string (FNV-1a, then mixed). */
export function hashText(host: number, text: string): number {
  let h = Math.imul(0x811c9dc5 ^ host, 0x01000193);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** Hash of a host id and a number (a pid). */
export function hashNumber(host: number, n: number): number {
  return mix(Math.imul((n | 0) ^ ((n / 4294967296) | 0) ^ Math.imul(host, 0x27d4eb2d), 0x9e3779b1));
}

function mix(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
