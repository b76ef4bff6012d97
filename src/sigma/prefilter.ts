/**
 * Prefilter anchors: a necessary condition of a rule, as clauses that must all hold, each
 * clause a set of anchors of which at least one holds. Two kinds of anchor:
 * - key `K<tag><value>`: exact image basename / OriginalFileName / EventID, found by one Map lookup;
 * - needle `N<field>\0<text>`: the lower-cased field value contains `text` (the longest literal
 *   chunk of a string pattern, or of the literals a regex requires), found by the Aho-Corasick
 *   scan of needle-index.ts. Keywords are needles of EVERY_VALUE: some string value of the
 *   event contains the text.
 * The index reaches a rule through its cheapest clause and evaluates it only when its other
 * clauses hold too (an image AND a command-line needle, say), so most rules are skipped.
 */
import type { CondNode } from './condition.js';
import type { DetNode } from './detection.js';
import { EVERY_VALUE, fieldSlot, type EventContext } from './field-access.js';
import type { ValueTest } from './modifiers.js';
import { requiredLiterals } from './regex-literals.js';
import { WILDCARD_MULTI, isPlaceholder, type SigmaString } from './sigma-string.js';

/** Fields whose exact value (or path basename) is a key; a field's position is its key-field id. */
const KEY_FIELDS: readonly { field: string; tag: string; basename: boolean; slot: number }[] = [
  { field: 'Image', tag: 'img:', basename: true, slot: fieldSlot('Image') },
  { field: 'ParentImage', tag: 'pimg:', basename: true, slot: fieldSlot('ParentImage') },
  { field: 'OriginalFileName', tag: 'ofn:', basename: false, slot: fieldSlot('OriginalFileName') },
  // A rule that names its EventIDs (SigmaHQ's Security, System and Sysmon-status rules, few of
  // which have a string to index) is reached only by events of those IDs: it was run, and compiled
  // at its first test, for every event of its log source.
  { field: 'EventID', tag: 'eid:', basename: false, slot: fieldSlot('EventID') },
];
const EVENT_ID_KEY = 'Keid:';
export const KEY_FIELD_COUNT = KEY_FIELDS.length;


/** At least one of these anchors holds whenever the rule matches (an OR of anchors). */
export type Clause = ReadonlySet<string>;

/**
 * A necessary condition as a conjunction of clauses: every clause holds whenever the rule
 * matches. `[]` = nothing usable is known (the rule is always evaluated).
 */
export type Anchors = readonly Clause[];

/**
 * At most this many clauses are kept per rule, the cheapest ones: each extra clause costs a
 * check on every event that reaches the rule through its first clause.
 */
const MAX_CLAUSES = 4;

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
}

/** Exact key implied by a value: the value itself, or `*<sep>name` for basename fields. */
function exactKey(v: SigmaString, basenameField: boolean): string | null {
  if (v.isPlain) {
    const t = v.plain.toLowerCase();
    return basenameField ? basename(t) || null : t;
  }
  const [first, rest, ...more] = v.parts;
  if (!basenameField || first !== WILDCARD_MULTI || typeof rest !== 'string' || more.length) return null;
  const t = rest.toLowerCase();
  const sep = Math.max(t.lastIndexOf('\\'), t.lastIndexOf('/'));
  return sep >= 0 && sep < t.length - 1 ? t.slice(sep + 1) : null;
}

const longest = (xs: string[]) => xs.reduce((a, b) => (b.length > a.length ? b : a), '');

function testAnchor(field: string, t: ValueTest): string | null {
  const spec = KEY_FIELDS.find((k) => k.field === field);
  if (t.kind === 'string') {
    if (spec) {
      const k = exactKey(t.value, spec.basename);
      if (k !== null) return 'K' + spec.tag + k;
    }
    if (t.value.parts.some(isPlaceholder)) return null;
    // A keyword's own wildcards are honoured, so its longest literal is a substring of a value too.
    const lit = longest(t.value.parts.filter((p): p is string => typeof p === 'string')).toLowerCase();
    return lit ? `N${field}\0${lit}` : null;
  }
  if (t.kind === 'regex') {
    const lit = longest(requiredLiterals(t.pattern)).toLowerCase();
    return lit ? `N${field}\0${lit}` : null;
  }
  // A number matches the number and its string form (compile.ts scalarPredicate): both are that
  // string in the event's lower-cased forms (field-access.ts lowerForms).
  if (t.kind === 'number' && spec !== undefined && !spec.basename) return 'K' + spec.tag + String(t.value);
  // A number keyword is searched for as text in the string values (compile.ts keywordMatcher).
  if (t.kind === 'number' && field === EVERY_VALUE) return `N${EVERY_VALUE}\0${String(t.value)}`;
  return null;
}

export function detectionAnchors(node: DetNode): Anchors {
  switch (node.op) {
    case 'not':
      return [];
    case 'and':
      return conjunction(node.children.map(detectionAnchors));
    case 'or':
      return disjunction(node.children.map(detectionAnchors));
    case 'item': {
      if (node.tests.length === 0) return [];
      const set = new Set<string>();
      for (const t of node.tests) {
        const a = testAnchor(node.field ?? EVERY_VALUE, t);
        if (a === null) return [];
        set.add(a);
      }
      return [set];
    }
  }
}

export function conditionAnchors(node: CondNode, selections: ReadonlyMap<string, Anchors>): Anchors {
  switch (node.op) {
    case 'ref':
      return selections.get(node.name) ?? [];
    case 'not':
      return [];
    case 'and':
      return conjunction(node.children.map((c) => conditionAnchors(c, selections)));
    case 'or':
      return disjunction(node.children.map((c) => conditionAnchors(c, selections)));
  }
}

/**
 * OR of necessary conditions: one clause, the union of each branch's cheapest clause (the
 * exact CNF would multiply clauses out). Nothing is known when one branch knows nothing.
 */
export function disjunction(branches: Anchors[]): Anchors {
  if (branches.length === 1) return branches[0]!;
  if (branches.some((b) => b.length === 0)) return [];
  return [new Set(branches.flatMap((b) => [...b[0]!]))];
}

/** AND of necessary conditions: all their clauses, cheapest first (so `[0]` is the one to index by). */
function conjunction(parts: Anchors[]): Anchors {
  const seen = new Set<string>();
  const clauses: Clause[] = [];
  for (const c of parts.flat()) {
    const key = [...c].sort().join('\u0001');
    if (!seen.has(key)) {
      seen.add(key);
      clauses.push(c);
    }
  }
  return clauses.sort((x, y) => cost(x) - cost(y)).slice(0, MAX_CLAUSES);
}

/**
 * Cost of a clause: exact keys are nearly free and rarely hold; short needles hit often; an
 * EventID is free to look up but held by many events of a log source (as a 4-character needle).
 */
function cost(s: Clause): number {
  let c = 0;
  for (const a of s) c += a.startsWith(EVENT_ID_KEY) ? 17 : a[0] === 'K' ? 1 : 1 + 64 / (a.length - a.indexOf('\0') - 1);
  return c;
}

const KEYWORD_NEEDLE = `N${EVERY_VALUE}\0`;

/** Whether a rule's anchors include a keyword (a needle of every value). */
export function searchesKeywords(anchors: Anchors): boolean {
  return anchors.some((clause) => [...clause].some((a) => a.startsWith(KEYWORD_NEEDLE)));
}

/** The key-field id and the value of a `K` anchor (tags end at their first ':'). */
export function keyAnchorParts(anchor: string): { field: number; value: string } {
  const end = anchor.indexOf(':') + 1;
  const tag = anchor.slice(1, end);
  return { field: KEY_FIELDS.findIndex((k) => k.tag === tag), value: anchor.slice(end) };
}

/**
 * Calls `hold(atom)` for each exact key the event has, looked up in `atomsByField` (per
 * key-field id: value → atom). Values are looked up as they are, not as `K…` strings: those
 * were built for every event and hashed afresh on every lookup (the top line of `match` in a
 * line-level profile).
 */
export function holdEventKeys(ctx: EventContext, atomsByField: readonly Map<string, number>[], hold: (atom: number) => void): void {
  for (let k = 0; k < KEY_FIELDS.length; k++) {
    const atoms = atomsByField[k]!;
    if (atoms.size === 0) continue;
    const spec = KEY_FIELDS[k]!;
    const forms = ctx.lowerAt(spec.slot);
    if (forms === undefined) continue;
    if (typeof forms === 'string') {
      const atom = atoms.get(spec.basename ? basename(forms) : forms);
      if (atom !== undefined) hold(atom);
    } else {
      for (const f of forms) {
        const atom = atoms.get(spec.basename ? basename(f) : f);
        if (atom !== undefined) hold(atom);
      }
    }
  }
}
