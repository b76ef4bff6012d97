/**
 * Finds which prefilter needles ("field contains text") an event satisfies with one pass over
 * the indexed fields: one Aho-Corasick automaton per field, so each character of a field value
 * costs one table lookup whatever the number of rules, and no candidate needs verifying.
 *
 * The automaton is a complete DFA over a reduced alphabet: every ASCII char that occurs in some
 * needle of the field gets a dense class (a column of the Int32Array transition table), every
 * char in no needle shares class 0 (it can only lead back to the root). Non-ASCII needle chars
 * are too many to get columns (one rule lists ~1,500 emoji code units, which would make the
 * table hundreds of MB), and are rare in event data, so they take a slow path through sparse
 * goto edges and fail links.
 *
 * Case is folded by the class table, not by lower-casing the field first: an upper-case char
 * has its lower-case char's class, so the raw value is scanned and only fields that rules
 * actually read get lower-cased (lower-casing every indexed field was a quarter of the scan's
 * cost and most of its garbage). Chars whose lower-casing is not one char of its own (U+0130 İ,
 * final-sigma Σ, surrogate halves of astral chars) send the field to the lower-cased path.
 */
import { fieldSlot, type EventContext } from './field-access.js';

/**
 * Class-table mark for a non-ASCII char that occurs in a needle: take the sparse path. Dense
 * classes (ASCII needle chars, plus class 0) number at most 129, so they never collide with it.
 */
const SPARSE = 255;
/** Class-table mark for a char that per-char folding cannot lower (see above). */
const RESCAN = 254;
const ASCII = 128;

/** Per UTF-16 code unit, its lower-case code unit, or RESCAN_CHAR when that is not one char. */
const RESCAN_CHAR = 0xffff;
let foldTable: Uint16Array | undefined;

function fold(): Uint16Array {
  if (foldTable) return foldTable;
  const t = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) {
    const lower = String.fromCharCode(c).toLowerCase();
    const special = c === 0x3a3 || (c >= 0xd800 && c <= 0xdfff) || lower.length !== 1;
    t[c] = special ? RESCAN_CHAR : lower.charCodeAt(0);
  }
  // U+FFFF lowers to itself and is no needle char: rescanning a raw text that holds it is harmless.
  return (foldTable = t);
}

interface Automaton {
  name: string;
  /** The field's slot (field-access.ts). */
  slot: number;
  /** Char code → dense class of its lower-case char, 0 for chars in no needle, SPARSE or RESCAN. */
  classes: Uint8Array;
  /** Number of dense classes: the row width of `delta`. */
  width: number;
  /**
   * Complete transitions, `delta[state * width + class]` = the target state. States are numbered
   * so that those with needles to report come last (from `quiet` on): the scan loop tests
   * `state < quiet` instead of loading `starts` for every char. 16-bit entries while the states
   * fit: SigmaHQ's process_creation CommandLine automaton (43,753 states × 70 classes) takes
   * 6 MB per thread instead of 12 MB, and scans as fast.
   */
  delta: Uint16Array | Int32Array;
  /** States below this report no needle. */
  quiet: number;
  /** Sparse goto edges on non-ASCII chars, keyed by `state * 65536 + charCode`. */
  sparse: Map<number, number>;
  fail: Int32Array;
  memo: ScanMemo;
  /** Needles ending at `state` (own and inherited through fail links): `ids[starts[s]..starts[s + 1])`. */
  starts: Int32Array;
  ids: Int32Array;
}

/**
 * The needles found in recently scanned values of one field. Telemetry repeats itself: every
 * start of a binary carries the same Hashes, Description, Product, Company, FileVersion,
 * OriginalFileName and Image, and services start with the same command lines; a Map lookup
 * (one hash of the string, one compare) costs a fraction of scanning it. Bounded (cleared when
 * full), and switched off for a while on a field whose values rarely repeat (GUIDs, temp
 * paths), where lookups and inserts would only add cost.
 *
 * A value is remembered only when it comes again within PROBATION lookups of its first scan.
 * Remembered entries live long, so the young generation promotes them, and each one remembered
 * and then dropped is garbage in the old generation until a full GC: remembering every value
 * of a field with many one-off values (command lines) grew each thread's old generation by
 * ~50 MB per million events. The probation set is replaced before a scavenge could promote it
 * (a scavenge comes every ~1,000 events), so one-off values die young.
 */
class ScanMemo {
  private readonly found = new Map<string, Int32Array>();
  /** Values scanned once in the last PROBATION lookups (at most). */
  private probation = new Set<string>();
  private probationLookups = 0;
  private lookups = 0;
  private hits = 0;
  private pausedFor = 0;

  /** Values longer than this are scanned, not remembered (long command lines rarely repeat). */
  static readonly MAX_LENGTH = 1024;
  private static readonly MAX_ENTRIES = 4096;
  /** Every PROBE lookups, a hit rate under MIN_HIT_RATE pauses the memo for PAUSE values. */
  private static readonly PROBE = 4096;
  private static readonly MIN_HIT_RATE = 0.25;
  private static readonly PAUSE = 65536;
  private static readonly PROBATION = 512;

  /** The value's needles if remembered; undefined when unknown or paused. */
  get(text: string): Int32Array | undefined {
    if (this.pausedFor > 0) {
      this.pausedFor--;
      return undefined;
    }
    const ids = this.found.get(text);
    if (ids !== undefined) this.hits++;
    if (++this.lookups === ScanMemo.PROBE) {
      if (this.hits < ScanMemo.PROBE * ScanMemo.MIN_HIT_RATE) {
        this.pausedFor = ScanMemo.PAUSE;
        this.found.clear();
      }
      this.lookups = this.hits = 0;
    }
    return ids;
  }

  /**
   * Whether the scan of a value `get` did not know should be remembered: the memo is not paused
   * and the value was scanned recently. Otherwise it goes on probation.
   */
  admits(text: string): boolean {
    if (this.pausedFor > 0) return false;
    if (++this.probationLookups > ScanMemo.PROBATION) {
      this.probation = new Set();
      this.probationLookups = 1;
    }
    if (this.probation.has(text)) return true;
    this.probation.add(text);
    return false;
  }

  set(text: string, ids: Int32Array): void {
    if (this.found.size >= ScanMemo.MAX_ENTRIES) this.found.clear();
    this.found.set(text, ids);
  }
}

export class NeedleIndex {
  private readonly automata: Automaton[] = [];
  /** Per needle, the last scan that reported it, so that each needle is reported once per event. */
  private readonly stamp: Uint32Array;
  private current = 0;

  /** `needles`: field and lower-cased text (non-empty); needle ids are positions in this list. */
  constructor(needles: readonly { field: string; text: string }[]) {
    this.stamp = new Uint32Array(needles.length);
    const byField = new Map<string, number[]>();
    needles.forEach((n, id) => {
      const ids = byField.get(n.field);
      if (ids) ids.push(id);
      else byField.set(n.field, [id]);
    });
    for (const [name, ids] of byField) this.automata.push(build(name, ids, needles));
  }

  /** Calls `hit(needleId)` once for every needle the event satisfies. */
  scan(ctx: EventContext, hit: (needle: number) => void): void {
    const stamp = (this.current = (this.current + 1) >>> 0 || 1);
    for (const a of this.automata) {
      const raw = ctx.getAt(a.slot);
      if (raw === undefined || raw === null) continue;
      if (typeof raw === 'string' && this.scanRemembered(a, raw, stamp, hit)) continue;
      const forms = ctx.lowerAt(a.slot);
      if (forms === undefined) continue;
      if (typeof forms === 'string') this.scanText(a, forms, false, stamp, hit);
      else for (const s of forms) this.scanText(a, s, false, stamp, hit);
    }
  }

  /**
   * One raw string value, through the field's memo. The stamp is fresh for this field's needles
   * (a needle belongs to one field), so a scan reports exactly the needles in `text`: that list
   * is what gets remembered. False as scanText (the lower-cased form must be scanned).
   */
  private scanRemembered(a: Automaton, text: string, stamp: number, hit: (needle: number) => void): boolean {
    if (text.length > ScanMemo.MAX_LENGTH) return this.scanText(a, text, true, stamp, hit);
    const known = a.memo.get(text);
    if (known !== undefined) {
      const seen = this.stamp;
      for (let i = 0; i < known.length; i++) {
        const n = known[i]!;
        if (seen[n] === stamp) continue;
        seen[n] = stamp;
        hit(n);
      }
      return true;
    }
    if (!a.memo.admits(text)) return this.scanText(a, text, true, stamp, hit);
    const found: number[] = [];
    const complete = this.scanText(a, text, true, stamp, (n) => {
      found.push(n);
      hit(n);
    });
    if (complete) a.memo.set(text, Int32Array.from(found));
    return complete;
  }

  /**
   * Scans `text`, raw (case folded here) or already lower-cased. Returns false when a raw text
   * holds a char per-char folding cannot lower: the caller then scans the lower-cased form
   * (needles reported so far are in it too, and are not reported twice).
   */
  private scanText(a: Automaton, text: string, raw: boolean, stamp: number, hit: (needle: number) => void): boolean {
    const { classes, width, delta, quiet, starts, ids } = a;
    const seen = this.stamp;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const k = classes[c]!;
      if (k < RESCAN) {
        s = delta[s * width + k]!;
        if (s < quiet) continue;
      } else {
        const f = raw ? fold()[c]! : c;
        if (raw && (k === RESCAN || f === RESCAN_CHAR)) return false;
        s = sparseStep(a.sparse, a.fail, s, f);
      }
      const end = starts[s + 1]!;
      for (let j = starts[s]!; j < end; j++) {
        const n = ids[j]!;
        if (seen[n] === stamp) continue;
        seen[n] = stamp;
        hit(n);
      }
    }
    return true;
  }
}

/** Transition on a sparse (non-ASCII needle) char: follow fail links until a goto edge exists. */
function sparseStep(sparse: Map<number, number>, fail: Int32Array, s: number, c: number): number {
  for (;;) {
    const t = sparse.get(s * 65536 + c);
    if (t !== undefined) return t;
    if (s === 0) return 0;
    s = fail[s]!;
  }
}

function build(name: string, needleIds: readonly number[], needles: readonly { text: string }[]): Automaton {
  const classes = new Uint8Array(65536);
  let width = 1;
  for (const id of needleIds) {
    const t = needles[id]!.text;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (classes[c] === 0) classes[c] = c < ASCII ? width++ : SPARSE;
    }
  }
  // Needle texts are lower-cased: every other char takes its lower-case char's class (SPARSE
  // ones too: the sparse path looks up the folded char), and chars that do not fold to one char
  // are RESCAN, unless they are needle chars (met in lower-cased text, they must step the trie).
  const folded = fold();
  for (let c = 0; c < 65536; c++) {
    if (classes[c] !== 0) continue;
    const f = folded[c]!;
    if (f === RESCAN_CHAR) classes[c] = RESCAN;
    else if (f !== c) classes[c] = classes[f]!;
  }

  // Trie built one depth at a time, so that state ids are in breadth-first order: every fail
  // target (shallower) has a smaller id than its state. Goto edges go into maps (dense ones keyed
  // `state * width + class`, sparse ones `state * 65536 + char`), and the transition table is
  // allocated once, at its final size: tables grown by doubling left ~30 MB of dead
  // ArrayBuffers per thread for SigmaHQ's CommandLine automaton, resident until a full GC.
  // Each depth visits only the needles longer than it: SigmaHQ has needles of hundreds of chars.
  const dense = new Map<number, number>();
  const sparse = new Map<number, number>();
  const parent = [0];
  const via = [0];
  /** Needles that end at a state, for the states where one does. */
  const own = new Map<number, number[]>();
  const at = new Int32Array(needleIds.length);
  let active = needleIds.map((_, i) => i);
  for (let depth = 0; active.length > 0; depth++) {
    const longer: number[] = [];
    for (const i of active) {
      const id = needleIds[i]!;
      const t = needles[id]!.text;
      const s = at[i]!;
      const c = t.charCodeAt(depth);
      const k = classes[c]!;
      const edges = k === SPARSE ? sparse : dense;
      const key = k === SPARSE ? s * 65536 + c : s * width + k;
      let next = edges.get(key);
      if (next === undefined) {
        next = parent.push(s) - 1;
        via.push(c);
        edges.set(key, next);
      }
      at[i] = next;
      if (depth + 1 < t.length) longer.push(i);
      else {
        const ending = own.get(next);
        if (ending) ending.push(id);
        else own.set(next, [id]);
      }
    }
    active = longer;
  }
  const count = parent.length;
  // Goto on `c` from `s`, following fail links: sparseStep's walk, on the dense edges too.
  const step = (s: number, c: number): number => {
    const k = classes[c]!;
    if (k === SPARSE) return sparseStep(sparse, fail, s, c);
    for (;;) {
      const t = dense.get(s * width + k);
      if (t !== undefined) return t;
      if (s === 0) return 0;
      s = fail[s]!;
    }
  };
  // Fail links and outputs in breadth-first order (each fail target is done before its state).
  // A state that ends no needle shares its fail target's output list.
  const fail = new Int32Array(count);
  const outputs: number[][] = [[]];
  for (let s = 1; s < count; s++) {
    const p = parent[s]!;
    if (p !== 0) fail[s] = step(fail[p]!, via[s]!);
    const mine = own.get(s);
    const inherited = outputs[fail[s]!]!;
    outputs[s] = mine === undefined ? inherited : inherited.length === 0 ? mine : [...mine, ...inherited];
  }

  // States renumbered, those that report no needle first (the root, which has none, stays 0).
  const order: number[] = [];
  for (let s = 0; s < count; s++) if (outputs[s]!.length === 0) order.push(s);
  const quiet = order.length;
  for (let s = 0; s < count; s++) if (outputs[s]!.length > 0) order.push(s);
  const id = new Int32Array(count);
  order.forEach((old, to) => (id[old] = to));

  // Each state's dense goto edges, grouped by state (a counting sort of the edge map).
  const edgeStart = new Int32Array(count + 1);
  for (const key of dense.keys()) edgeStart[Math.floor(key / width) + 1]! += 1;
  for (let s = 0; s < count; s++) edgeStart[s + 1]! += edgeStart[s]!;
  const edgeClass = new Int32Array(dense.size);
  const edgeTarget = new Int32Array(dense.size);
  const filled = edgeStart.slice(0, count);
  for (const [key, target] of dense) {
    const e = filled[Math.floor(key / width)]!++;
    edgeClass[e] = key % width;
    edgeTarget[e] = target;
  }
  // Complete rows, in breadth-first order: a state's row is its fail target's (complete
  // already) with its own dense goto edges over it; the root's leads back to the root. Class 0
  // (chars in no needle) has no goto edge anywhere, so it always leads to the root. Rows are
  // copied in a loop: copyWithin per 70-entry row was the build's costliest line.
  const table = count <= 0x10000 ? new Uint16Array(count * width) : new Int32Array(count * width);
  for (let s = 0; s < count; s++) {
    const row = id[s]! * width;
    if (s > 0) {
      const failRow = id[fail[s]!]! * width;
      for (let k = 0; k < width; k++) table[row + k] = table[failRow + k]!;
    }
    for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) table[row + edgeClass[e]!] = id[edgeTarget[e]!]!;
  }
  const failOf = new Int32Array(count);
  const starts = new Int32Array(count + 1);
  order.forEach((old, to) => {
    failOf[to] = id[fail[old]!]!;
    starts[to + 1] = starts[to]! + outputs[old]!.length;
  });
  const ids = new Int32Array(starts[count]!);
  order.forEach((old, to) => ids.set(outputs[old]!, starts[to]!));
  const sparseOf = new Map<number, number>();
  for (const [key, target] of sparse) sparseOf.set(id[Math.floor(key / 65536)]! * 65536 + (key % 65536), id[target]!);
  return { name, slot: fieldSlot(name), classes, width, delta: table, quiet, sparse: sparseOf, fail: failOf, memo: new ScanMemo(), starts, ids };
}
