/**
 * Compile Sigma strings to plain string predicates. Common shapes become `===`, `startsWith`,
 * `endsWith` or `includes`; other wildcard patterns use a segment matcher that runs in
 * O(value × pattern) time at worst, so no backtracking regex is ever built from rule text.
 */
import { SigmaString, WILDCARD_MULTI, WILDCARD_SINGLE, isPlaceholder } from './sigma-string.js';

export type StringPredicate = (s: string) => boolean;

const NEVER: StringPredicate = () => false;
const ALWAYS: StringPredicate = () => true;

/** A segment between `*`s: literal chars, with `null` standing for `?`. */
type Segment = (string | null)[];

/**
 * Predicate for one Sigma string. With `fold`, the pattern is lower-cased and the caller must
 * pass lower-cased values. A string with an unresolved placeholder matches nothing.
 */
export function stringPredicate(value: SigmaString, fold: boolean): StringPredicate {
  const parts = value.parts;
  if (parts.some(isPlaceholder)) return NEVER;
  const text = (p: string) => (fold ? p.toLowerCase() : p);
  if (parts.length === 0) return (s) => s === '';
  if (!parts.some((p) => p === WILDCARD_SINGLE)) {
    const multi = parts.filter((p) => p === WILDCARD_MULTI).length;
    const lits = parts.filter((p): p is string => typeof p === 'string').map(text);
    const first = parts[0] === WILDCARD_MULTI;
    const last = parts[parts.length - 1] === WILDCARD_MULTI;
    if (multi === 0) {
      const t = lits[0]!;
      return (s) => s === t;
    }
    if (lits.length === 0) return ALWAYS;
    if (lits.length === 1) {
      const t = lits[0]!;
      if (first && last) return (s) => s.includes(t);
      if (first) return (s) => s.endsWith(t);
      if (last) return (s) => s.startsWith(t);
    }
  }
  return segmentMatcher(parts.map((p) => (typeof p === 'string' ? text(p) : p)));
}

function segmentMatcher(parts: SigmaString['parts']): StringPredicate {
  const segs: Segment[] = [[]];
  for (const p of parts) {
    if (p === WILDCARD_MULTI) segs.push([]);
    else if (p === WILDCARD_SINGLE) segs[segs.length - 1]!.push(null);
    else if (typeof p === 'string') segs[segs.length - 1]!.push(...p);
  }
  const head = segs[0]!;
  if (segs.length === 1) return (s) => s.length === head.length && segAt(s, head, 0);
  const tail = segs[segs.length - 1]!;
  const middle = segs.slice(1, -1).filter((m) => m.length > 0);
  const minLen = segs.reduce((n, sg) => n + sg.length, 0);
  return (s) => {
    if (s.length < minLen || !segAt(s, head, 0)) return false;
    let pos = head.length;
    // Leftmost placement of each middle segment is optimal: it leaves the most room for the rest.
    for (const m of middle) {
      const at = findSeg(s, m, pos, s.length - tail.length);
      if (at < 0) return false;
      pos = at + m.length;
    }
    return s.length - tail.length >= pos && segAt(s, tail, s.length - tail.length);
  };
}

function segAt(s: string, seg: Segment, at: number): boolean {
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c !== null && s[at + i] !== c) return false;
  }
  return true;
}

function findSeg(s: string, seg: Segment, from: number, limit: number): number {
  for (let i = from; i + seg.length <= limit; i++) if (segAt(s, seg, i)) return i;
  return -1;
}

/** OR of many predicates, with exact values in a Set and the common shapes in flat arrays. */
export function anyStringPredicate(values: readonly SigmaString[], fold: boolean): StringPredicate {
  const exact = new Set<string>();
  const others: StringPredicate[] = [];
  const substrings: string[] = [];
  for (const v of values) {
    if (v.isPlain) exact.add(fold ? v.plain.toLowerCase() : v.plain);
    else if (isContains(v)) substrings.push(fold ? (v.parts[1] as string).toLowerCase() : (v.parts[1] as string));
    else others.push(stringPredicate(v, fold));
  }
  // Long `contains` lists: one scan of the value instead of one `includes` per needle.
  const long = substrings.filter((t) => t.length >= 3);
  const useScan = long.length >= MULTI_MIN;
  if (useScan) others.push(multiContains(long));
  // Short lists stay one flat loop of `includes` (no closure per needle: monomorphic and fast).
  const plain = useScan ? substrings.filter((x) => x.length < 3) : substrings;
  if (others.includes(ALWAYS) || plain.includes('')) return ALWAYS;
  const rest = others.filter((p) => p !== NEVER);
  if (rest.length === 0 && plain.length === 0) {
    if (exact.size === 1) {
      const [t] = exact;
      return (s) => s === t;
    }
    return exact.size === 0 ? NEVER : (s) => exact.has(s);
  }
  if (exact.size === 0 && rest.length === 0) {
    return (s) => {
      for (let i = 0; i < plain.length; i++) if (s.includes(plain[i]!)) return true;
      return false;
    };
  }
  if (exact.size === 0 && plain.length === 0 && rest.length === 1) return rest[0]!;
  return (s) => {
    if (exact.size > 0 && exact.has(s)) return true;
    for (let i = 0; i < plain.length; i++) if (s.includes(plain[i]!)) return true;
    for (let i = 0; i < rest.length; i++) if (rest[i]!(s)) return true;
    return false;
  };
}

const MULTI_MIN = 24;
const TABLE_BITS = 12;

function isContains(v: SigmaString): boolean {
  const p = v.parts;
  return p.length === 3 && p[0] === WILDCARD_MULTI && p[2] === WILDCARD_MULTI && typeof p[1] === 'string';
}

function tri(s: string, i: number): number {
  const h = Math.imul(Math.imul(Math.imul(s.charCodeAt(i), 0x9e3779b1) ^ s.charCodeAt(i + 1), 0x85ebca6b) ^ s.charCodeAt(i + 2), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & ((1 << TABLE_BITS) - 1);
}

/** Any of many substrings (each ≥ 3 chars): needles hang off the hash of their first trigram. */
function multiContains(needles: string[]): StringPredicate {
  const heads = new Int32Array(1 << TABLE_BITS).fill(-1);
  const next = new Int32Array(needles.length);
  needles.forEach((t, i) => {
    const h = tri(t, 0);
    next[i] = heads[h]!;
    heads[h] = i;
  });
  return (s) => {
    for (let i = 0; i + 3 <= s.length; i++) {
      for (let n = heads[tri(s, i)]!; n >= 0; n = next[n]!) if (s.startsWith(needles[n]!, i)) return true;
    }
    return false;
  };
}
