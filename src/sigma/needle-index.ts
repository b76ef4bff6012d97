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
 * actually read get lower-cased (lower-casing every indexed field was a large share of the
 * scan's cost and most of its garbage). Chars whose lower-casing is not one char of its own
 * (U+0130 İ, final-sigma Σ, surrogate halves of astral chars) send the field to the lower-cased
 * path (docs/performance.md#needle-automata-and-their-exchange).
 */
import { automatonTables } from './automaton-exchange.js';
import { EVERY_VALUE, fieldSlot, type EventContext } from './field-access.js';

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

/** An automaton's tables: what a build makes of a field's needles, the same on every thread (automaton-exchange.ts). */
export interface AutomatonTables {
  /** Char code → dense class of its lower-case char, 0 for chars in no needle, SPARSE or RESCAN. */
  classes: Uint8Array;
  /** Number of dense classes: the row width of `delta`. */
  width: number;
  /**
   * Complete transitions, `delta[state * width + class]` = the target state. States are numbered
   * so that those with needles to report come last (from `quiet` on): the scan loop tests
   * `state < quiet` instead of loading `starts` for every char. 16-bit entries while the states
   * fit: half the memory, and they scan as fast
   * (docs/performance.md#needle-automata-and-their-exchange).
   */
  delta: Uint16Array | Int32Array;
  /** States below this report no needle. */
  quiet: number;
  /** Sparse goto edges on non-ASCII chars, keyed by `state * 65536 + charCode`. */
  sparse: Map<number, number>;
  fail: Int32Array;
  /** Needles ending at `state` (own and inherited through fail links): `ids[starts[s]..starts[s + 1])`. */
  starts: Int32Array;
  ids: Int32Array;
}

/** An automaton as one thread scans with it. */
interface Automaton extends AutomatonTables {
  name: string;
  /** The field's slot (field-access.ts). */
  slot: number;
  /** Keywords' automaton: it scans every string value of the event (EVERY_VALUE). */
  everyValue: boolean;
  /** Length of its shortest needle. */
  shortest: number;
  memo: ScanMemo;
}

/**
 * The needles found in recently scanned values of one field. Telemetry repeats itself: every
 * start of a binary carries the same Hashes, Description, Product, Company, FileVersion,
 * OriginalFileName and Image, and services start with the same command lines; a lookup (a
 * hash of a few chars, one compare) costs a fraction of scanning the value. Bounded (a fixed
 * table of 2^MEMO_BITS sets of two values), and switched off for a while on a field whose
 * values rarely repeat (GUIDs, temp paths), where lookups and inserts would only add cost.
 *
 * A value is remembered only when it comes again within PROBATION lookups of its first scan.
 * Remembered entries live long, so the young generation promotes them, and each one remembered
 * and then dropped is garbage in the old generation until a full GC: remembering every value
 * of a field with many one-off values (command lines) grew each thread's old generation with
 * the input. The probation table is replaced before a scavenge could promote it (a scavenge
 * comes every ~1,000 events), so one-off values die young (docs/performance.md#needle-memo).
 */
const MEMO_BITS = 11;
const PROBATION_BITS = 10;

class ScanMemo {
  /**
   * Set `i` holds its newer value at `2i`, its older at `2i + 1`: two values that keep coming
   * and share a set are both kept (the workstation mix's 15 binaries put two in one set of a
   * table of single entries). Allocated at the first value remembered: a thread has an
   * automaton per field and logsource, most of which never remember one.
   */
  private keys: Array<string | undefined> | undefined;
  private values: Array<Int32Array | undefined> | undefined;
  /** Values scanned once in the last PROBATION lookups (at most), by slot. */
  private probation: Array<string | undefined> | undefined;
  private probationLookups = 0;
  private lookups = 0;
  private hits = 0;
  private pausedFor = 0;

  /** Values longer than this are scanned, not remembered (long command lines rarely repeat). */
  static readonly MAX_LENGTH = 1024;
  /** Every PROBE lookups, a hit rate under MIN_HIT_RATE pauses the memo for PAUSE values. */
  private static readonly PROBE = 4096;
  private static readonly MIN_HIT_RATE = 0.25;
  private static readonly PAUSE = 65536;
  private static readonly PROBATION = 512;

  /** True while the memo is paused: the value is only scanned (each call counts one value). */
  skips(): boolean {
    if (this.pausedFor === 0) return false;
    this.pausedFor--;
    return true;
  }

  /** The value's needles if remembered. `hash`: its sampleHash, computed once per value. */
  get(text: string, hash: number): Int32Array | undefined {
    const keys = this.keys;
    let ids: Int32Array | undefined;
    if (keys !== undefined) {
      const at = (hash >>> (32 - MEMO_BITS)) << 1;
      ids = keys[at] === text ? this.values![at] : keys[at + 1] === text ? this.values![at + 1] : undefined;
      if (ids !== undefined) this.hits++;
    }
    if (++this.lookups === ScanMemo.PROBE) {
      if (this.hits < ScanMemo.PROBE * ScanMemo.MIN_HIT_RATE) {
        this.pausedFor = ScanMemo.PAUSE;
        this.keys = this.values = undefined;
      }
      this.lookups = this.hits = 0;
    }
    return ids;
  }

  /**
   * Whether the scan of a value `get` did not know should be remembered: the lookup did not
   * pause the memo, and the value was scanned recently. Otherwise it goes on probation.
   */
  admits(text: string, hash: number): boolean {
    if (this.pausedFor > 0) return false;
    if (this.probation === undefined || ++this.probationLookups > ScanMemo.PROBATION) {
      // A new young array each time, so that values on probation die young (see above).
      this.probation = new Array(1 << PROBATION_BITS).fill(undefined);
      this.probationLookups = 1;
    }
    const slot = hash >>> (32 - PROBATION_BITS);
    if (this.probation[slot] === text) return true;
    this.probation[slot] = text;
    return false;
  }

  set(text: string, hash: number, ids: Int32Array): void {
    const keys = (this.keys ??= new Array(2 << MEMO_BITS).fill(undefined));
    const values = (this.values ??= new Array(2 << MEMO_BITS).fill(undefined));
    const at = (hash >>> (32 - MEMO_BITS)) << 1;
    keys[at + 1] = keys[at];
    values[at + 1] = values[at];
    keys[at] = text;
    values[at] = ids;
  }
}

/**
 * A hash of the value's length, its last 8 chars and 8 more spread over the rest. Map and Set
 * hash every char of a new string (each event's values are new strings), which made the memo
 * lookup cost as much as the scan it saves (docs/performance.md#needle-memo); values that
 * differ only where this hash does not look share a set and are scanned, which is only slower,
 * never wrong (keys compare whole).
 */
function sampleHash(text: string): number {
  const n = text.length;
  let h = Math.imul(n, 0x9e3779b1);
  const tail = n < 8 ? 0 : n - 8;
  for (let i = n - 1; i >= tail; i--) h = mix(h, text.charCodeAt(i));
  const step = (tail >>> 3) + 1;
  for (let i = tail - 1; i >= 0; i -= step) h = mix(h, text.charCodeAt(i));
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}

function mix(h: number, c: number): number {
  h = Math.imul(h ^ c, 0x85ebca6b);
  return h ^ (h >>> 15);
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
      if (a.everyValue) {
        this.scanEveryValue(a, ctx, stamp, hit);
        continue;
      }
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
   * Keywords: each string value of the event, scanned raw (a value too short to hold the shortest
   * needle is skipped). Not through the memo: most values are short and one-off, and a lookup
   * costs about what scanning them does.
   */
  private scanEveryValue(a: Automaton, ctx: EventContext, stamp: number, hit: (needle: number) => void): void {
    const values = ctx.all();
    const shortest = a.shortest;
    for (let i = 0; i < values.length; i++) {
      const text = values[i]!;
      if (text.length >= shortest && !this.scanText(a, text, true, stamp, hit)) this.scanText(a, text.toLowerCase(), false, stamp, hit);
    }
  }

  /**
   * One raw string value, through the field's memo. The stamp is fresh for this field's needles
   * (a needle belongs to one field), so a scan reports exactly the needles in `text`: that list
   * is what gets remembered. False as scanText (the lower-cased form must be scanned).
   */
  private scanRemembered(a: Automaton, text: string, stamp: number, hit: (needle: number) => void): boolean {
    if (text.length > ScanMemo.MAX_LENGTH || a.memo.skips()) return this.scanText(a, text, true, stamp, hit);
    const hash = sampleHash(text);
    const known = a.memo.get(text, hash);
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
    if (!a.memo.admits(text, hash)) return this.scanText(a, text, true, stamp, hit);
    const found: number[] = [];
    const complete = this.scanText(a, text, true, stamp, (n) => {
      found.push(n);
      hit(n);
    });
    if (complete) a.memo.set(text, hash, Int32Array.from(found));
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

/**
 * Built once per field and logsource bucket, at the first event that needs it, by the first
 * scanning thread to meet such an event (the others wait for its tables, automaton-exchange.ts):
 * its cost is start-up latency, paid cold (before the JIT has optimized anything). So it uses
 * no Map on the hot paths and is cut into small phases, each a tight loop over typed arrays.
 *
 * The tables number the needles in text order, not by the bucket's ids, so that buckets with
 * the same needles for a field (Sysmon's and Security's process_creation, for every field their
 * rules read) share one automaton, in the automaton cache and across threads; each bucket
 * translates the reported numbers into its own ids.
 */
function build(name: string, needleIds: readonly number[], needles: readonly { text: string }[]): Automaton {
  const byText = [...needleIds].sort((x, y) => (needles[x]!.text < needles[y]!.text ? -1 : needles[x]!.text > needles[y]!.text ? 1 : 0));
  const ordered = byText.map((id) => needles[id]!);
  const positions = ordered.map((_, i) => i);
  const tables = automatonTables(name, positions, ordered, () => buildTables(positions, ordered));
  const ids = new Int32Array(tables.ids.length);
  for (let i = 0; i < ids.length; i++) ids[i] = byText[tables.ids[i]!]!;
  const shortest = Math.min(...ordered.map((n) => n.text.length));
  return { name, slot: fieldSlot(name), everyValue: name === EVERY_VALUE, shortest, memo: new ScanMemo(), ...tables, ids };
}

function buildTables(needleIds: readonly number[], needles: readonly { text: string }[]): AutomatonTables {
  const { classes, width } = charClasses(needleIds, needles);
  const trie = buildTrie(needleIds, needles);
  const { count } = trie;
  const fail = failLinks(trie);
  // Needles reported at each state: its own, then its fail target's (a state that ends no
  // needle shares its fail target's list). Fail targets come first in breadth-first order.
  const outputs: number[][] = [[]];
  for (let s = 1; s < count; s++) {
    const mine = trie.own.get(s);
    const inherited = outputs[fail[s]!]!;
    outputs[s] = mine === undefined ? inherited : inherited.length === 0 ? mine : [...mine, ...inherited];
  }

  // States renumbered, those that report no needle first (the root, which has none, stays 0).
  const order = new Int32Array(count);
  let quiet = 0;
  for (let s = 0; s < count; s++) if (outputs[s]!.length === 0) order[quiet++] = s;
  let loud = quiet;
  for (let s = 0; s < count; s++) if (outputs[s]!.length > 0) order[loud++] = s;
  const id = new Int32Array(count);
  for (let to = 0; to < count; to++) id[order[to]!] = to;

  const { table, sparse } = transitions(trie, fail, id, classes, width);
  const failOf = new Int32Array(count);
  const starts = new Int32Array(count + 1);
  for (let to = 0; to < count; to++) {
    const old = order[to]!;
    failOf[to] = id[fail[old]!]!;
    starts[to + 1] = starts[to]! + outputs[old]!.length;
  }
  const ids = new Int32Array(starts[count]!);
  for (let to = 0; to < count; to++) ids.set(outputs[order[to]!]!, starts[to]!);
  return { classes, width, delta: table, quiet, sparse, fail: failOf, starts, ids };
}

/** Chars whose lower-case char is another (or RESCAN_CHAR), once per thread: each automaton's class table visits these, not all 65,536. */
let foldingChars: Uint16Array | undefined;

function folding(): Uint16Array {
  if (foldingChars) return foldingChars;
  const folded = fold();
  const chars: number[] = [];
  for (let c = 0; c < 65536; c++) if (folded[c] !== c) chars.push(c);
  return (foldingChars = Uint16Array.from(chars));
}

function charClasses(needleIds: readonly number[], needles: readonly { text: string }[]): { classes: Uint8Array; width: number } {
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
  const chars = folding();
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (classes[c] !== 0) continue;
    const f = folded[c]!;
    classes[c] = f === RESCAN_CHAR ? RESCAN : classes[f]!;
  }
  return { classes, width };
}

/**
 * The needles' trie, states numbered breadth first (every fail target, being shallower, has a
 * smaller id than its state). The needles are sorted first, so at each depth those that share
 * a state, and among them those that share the next char, come together: a new state is made
 * where the pair (state, char) changes, with no map of goto edges, and the children of a state
 * have consecutive ids, in char order. Each depth visits only the needles longer than it:
 * SigmaHQ has needles of hundreds of chars.
 */
interface Trie {
  count: number;
  parent: Int32Array;
  /** The char that leads from its parent to each state. */
  via: Uint16Array;
  /** Children of `s`: ids `firstChild[s]` to `endChild[s]` (exclusive). */
  firstChild: Int32Array;
  endChild: Int32Array;
  /** Needles that end at a state, for the states where one does. */
  own: Map<number, number[]>;
}

function buildTrie(needleIds: readonly number[], needles: readonly { text: string }[]): Trie {
  const texts = needleIds.map((id) => needles[id]!.text);
  let bound = 1;
  for (const t of texts) bound += t.length;
  const parent = new Int32Array(bound);
  const via = new Uint16Array(bound);
  const firstChild = new Int32Array(bound);
  const endChild = new Int32Array(bound);
  const own = new Map<number, number[]>();
  const at = new Int32Array(texts.length);
  let active = texts.map((_, i) => i).sort((x, y) => (texts[x]! < texts[y]! ? -1 : texts[x]! > texts[y]! ? 1 : 0));
  let count = 1;
  for (let depth = 0; active.length > 0; depth++) {
    const longer: number[] = [];
    let lastState = -1;
    let lastChar = -1;
    let state = 0;
    for (const i of active) {
      const t = texts[i]!;
      const s = at[i]!;
      const c = t.charCodeAt(depth);
      if (s !== lastState || c !== lastChar) {
        state = count++;
        parent[state] = s;
        via[state] = c;
        if (s !== lastState) firstChild[s] = state;
        endChild[s] = state + 1;
        lastState = s;
        lastChar = c;
      }
      at[i] = state;
      if (depth + 1 < t.length) longer.push(i);
      else {
        const ending = own.get(state);
        if (ending) ending.push(needleIds[i]!);
        else own.set(state, [needleIds[i]!]);
      }
    }
    active = longer;
  }
  return { count, parent, via, firstChild, endChild, own };
}

/** The child of `s` on char `c`, or -1 (children are in char order: a binary search). */
function child(trie: Trie, s: number, c: number): number {
  let lo = trie.firstChild[s]!;
  let hi = trie.endChild[s]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = trie.via[mid]!;
    if (v === c) return mid;
    if (v < c) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

/** Aho-Corasick fail links: the longest proper suffix of each state's text that is a state. */
function failLinks(trie: Trie): Int32Array {
  const { count, parent, via } = trie;
  const fail = new Int32Array(count);
  for (let s = 1; s < count; s++) {
    const p = parent[s]!;
    if (p === 0) continue;
    const c = via[s]!;
    let q = fail[p]!;
    for (;;) {
      const t = child(trie, q, c);
      if (t !== -1) {
        fail[s] = t;
        break;
      }
      if (q === 0) break;
      q = fail[q]!;
    }
  }
  return fail;
}

/**
 * The complete dense transition table and the sparse goto edges, in the renumbered ids. A
 * state's row is its fail target's (complete already: breadth-first order) with its own goto
 * edges over it; the root's leads back to the root. Class 0 (chars in no needle) has no goto
 * edge anywhere, so it always leads to the root. Rows are copied in a loop: copyWithin per
 * row was slower, warm and cold. The table is allocated once, at its final size: tables grown
 * by doubling left dead ArrayBuffers in every thread, resident until a full GC
 * (docs/performance.md#needle-automata-and-their-exchange).
 */
function transitions(trie: Trie, fail: Int32Array, id: Int32Array, classes: Uint8Array, width: number): { table: Uint16Array | Int32Array; sparse: Map<number, number> } {
  const { count, via, firstChild, endChild } = trie;
  const table = count <= 0x10000 ? new Uint16Array(count * width) : new Int32Array(count * width);
  const sparse = new Map<number, number>();
  for (let s = 0; s < count; s++) {
    const row = id[s]! * width;
    if (s > 0) {
      const failRow = id[fail[s]!]! * width;
      for (let k = 0; k < width; k++) table[row + k] = table[failRow + k]!;
    }
    for (let c = firstChild[s]!; c < endChild[s]!; c++) {
      const k = classes[via[c]!]!;
      if (k === SPARSE) sparse.set(id[s]! * 65536 + via[c]!, id[c]!);
      else table[row + k] = id[c]!;
    }
  }
  return { table, sparse };
}
