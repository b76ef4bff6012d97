/**
 * Finds which prefilter needles ("field contains text") an event satisfies with one pass over
 * the indexed fields: each needle is registered under its rarest trigram in a hash table, the
 * event's field values are scanned trigram by trigram, and only table hits are verified with
 * `startsWith`. Needles of 1-2 characters are registered under their first character instead.
 * Cost is linear in the indexed text, independent of the number of rules.
 */
import type { EventContext } from './field-access.js';

const BITS = 16;
const MASK = (1 << BITS) - 1;

function tri(fieldId: number, s: string, i: number): number {
  let h = Math.imul(fieldId + 1, 0x9e3779b1);
  h = Math.imul(h ^ s.charCodeAt(i), 0x85ebca6b);
  h = Math.imul(h ^ s.charCodeAt(i + 1), 0xc2b2ae35);
  h = Math.imul(h ^ s.charCodeAt(i + 2), 0x27d4eb2f);
  return (h ^ (h >>> 15)) & MASK;
}

interface FieldTables {
  name: string;
  /** Short needles by first char code; `firstChars` flags the codes that have any. */
  short: Map<number, number[]>;
  firstChars: Uint8Array | undefined;
}

export class NeedleIndex {
  private readonly fields: FieldTables[] = [];
  private readonly texts: string[];
  private readonly fieldOf: number[] = [];
  /** Where the indexed trigram sits inside each long needle. */
  private readonly offsets: number[] = [];
  private readonly heads = new Int32Array(MASK + 1).fill(-1);
  private readonly next: Int32Array;
  private readonly stamp: Uint32Array;
  private current = 0;

  /** `needles`: field and lower-cased text (non-empty); needle ids are positions in this list. */
  constructor(needles: readonly { field: string; text: string }[]) {
    const fieldIds = new Map<string, number>();
    this.texts = needles.map((n) => n.text);
    this.next = new Int32Array(needles.length).fill(-1);
    this.stamp = new Uint32Array(needles.length);
    const counts = new Map<number, number>();
    const hashes = needles.map(({ field, text }) => {
      let fid = fieldIds.get(field);
      if (fid === undefined) fieldIds.set(field, (fid = this.fields.push({ name: field, short: new Map(), firstChars: undefined }) - 1));
      this.fieldOf.push(fid);
      const hs: number[] = [];
      for (let i = 0; i + 3 <= text.length; i++) hs.push(tri(fid, text, i));
      for (const h of new Set(hs)) counts.set(h, (counts.get(h) ?? 0) + 1);
      return hs;
    });
    needles.forEach((n, id) => {
      const hs = hashes[id]!;
      if (hs.length === 0) {
        const f = this.fields[this.fieldOf[id]!]!;
        const c = n.text.charCodeAt(0);
        f.short.set(c, [...(f.short.get(c) ?? []), id]);
        (f.firstChars ??= new Uint8Array(65536))[c] = 1;
        this.offsets.push(0);
        return;
      }
      // Rarest trigram among all needles: fewer false hits to verify.
      let at = 0;
      for (let i = 1; i < hs.length; i++) if (counts.get(hs[i]!)! < counts.get(hs[at]!)!) at = i;
      this.offsets.push(at);
      this.next[id] = this.heads[hs[at]!]!;
      this.heads[hs[at]!] = id;
    });
  }

  /** Calls `hit(needleId)` once for every needle the event satisfies. */
  scan(ctx: EventContext, hit: (needle: number) => void): void {
    const stamp = (this.current = (this.current + 1) >>> 0 || 1);
    for (let fid = 0; fid < this.fields.length; fid++) {
      const forms = ctx.lower(this.fields[fid]!.name);
      if (forms === undefined) continue;
      if (typeof forms === 'string') this.scanText(fid, forms, stamp, hit);
      else for (const s of forms) this.scanText(fid, s, stamp, hit);
    }
  }

  private scanText(fid: number, s: string, stamp: number, hit: (needle: number) => void): void {
    const { heads, next, texts, fieldOf, offsets } = this;
    for (let i = 0; i + 3 <= s.length; i++) {
      for (let n = heads[tri(fid, s, i)]!; n >= 0; n = next[n]!) {
        if (this.stamp[n] === stamp || fieldOf[n] !== fid || !s.startsWith(texts[n]!, i - offsets[n]!)) continue;
        this.stamp[n] = stamp;
        hit(n);
      }
    }
    const { firstChars, short } = this.fields[fid]!;
    if (!firstChars) return;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (firstChars[c] === 0) continue;
      for (const n of short.get(c)!) {
        if (this.stamp[n] === stamp || !s.startsWith(texts[n]!, i)) continue;
        this.stamp[n] = stamp;
        hit(n);
      }
    }
  }
}
