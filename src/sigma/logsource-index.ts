/**
 * Rule index: logsource filtering (cached per logsource combination) plus the anchor
 * prefilter, so an event only runs rules that can possibly match it.
 */
import type { LogSource, NormalizedEvent } from '../events/event.js';
import { EventContext } from './field-access.js';
import { NeedleIndex } from './needle-index.js';
import { holdEventKeys, keyAnchorParts, KEY_FIELD_COUNT, searchesKeywords, type Anchors, type Clause } from './prefilter.js';
import { SigmaRule, type CompiledRule } from './rule.js';

interface Bucket {
  rules: readonly CompiledRule[];
  /** Positions (in `rules`) of rules evaluated for every event. */
  always: Int32Array;
  /** Per key-field id (prefilter.ts), exact key value → its atom id. Atoms are all the anchors of the bucket's rules. */
  keyAtoms: Map<string, number>[];
  /** Needle anchors: the scanner, and per needle id its atom id. */
  needles: NeedleIndex | undefined;
  needleAtoms: Int32Array;
  /** Per atom id, the positions of the rules whose first (cheapest) clause contains it. */
  reach: Int32Array[];
  /** Per rule position, its other clauses as atom ids (each must have one atom that holds), or undefined. */
  rest: (Int32Array[] | undefined)[];
  /** Per-atom and per-rule stamps of the current event: atoms that hold, rules already reached. */
  atomSeen: Uint32Array;
  ruleSeen: Uint32Array;
  /** Atoms that hold for the current event (the first `held` entries). */
  heldAtoms: Int32Array;
  held: number;
  stamp: number;
  /** Mark an atom, or a needle's atom, as held (bound once per bucket: no closure per event). */
  onAtom: (atom: number) => void;
  onNeedle: (needle: number) => void;
}

/**
 * Below this many rules in a bucket the prefilter costs more than it saves (one trigram scan
 * of the indexed fields per event against a handful of cheap matchers): run them all
 * (docs/performance.md#prefilter-and-logsource-index). Keyword rules are prefiltered in any
 * bucket: their own test lower-cases every value of the event and searches each for each
 * keyword, many times the automaton's one pass over the raw values.
 */
const PREFILTER_MIN_RULES = 32;

/**
 * SigmaHQ's umbrella category: `registry_event` rules apply to every specific registry event
 * category the readers produce (Sysmon 12/13/14).
 */
export const CATEGORY_ALIASES: ReadonlyMap<string, readonly string[]> = new Map([
  ['registry_event', ['registry_add', 'registry_delete', 'registry_set', 'registry_rename']],
]);

export class RuleIndex {
  /** category → product → service → bucket, keyed by the event's raw values ('' = unset). */
  private readonly buckets = new Map<string, Map<string, Map<string, Bucket>>>();

  /** The rules' distinct lower-cased logsources, and each rule's among them: a bucket tests each logsource once, not each rule. */
  private readonly logsources: LogSource[] = [];
  private readonly logsourceOf: Int32Array;

  constructor(private readonly rules: CompiledRule[]) {
    const ids = new Map<string, number>();
    this.logsourceOf = Int32Array.from(rules, (r) => {
      const k = lowerLogsource(r);
      const key = `${k.category ?? '\u0001'}\u0000${k.product ?? '\u0001'}\u0000${k.service ?? '\u0001'}`;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = this.logsources.push(k) - 1));
      return id;
    });
  }

  /** Rules whose logsource can apply to an event with this logsource (cached per combination). */
  candidates(ls: LogSource): readonly CompiledRule[] {
    return this.bucket(ls).rules;
  }

  /**
   * All rules that match the event, in index order. `ctx` lets several indexes (one per pack)
   * share one per-event cache of resolved and lower-cased fields.
   */
  match(event: NormalizedEvent, ctx?: EventContext): CompiledRule[] {
    const b = this.bucket(event);
    const rules = b.rules;
    if (rules.length === 0) return [];
    ctx ??= new EventContext(event.fields);
    const hits: number[] = [];
    const always = b.always;
    for (let i = 0; i < always.length; i++) runRule(rules, always[i]!, ctx, event, hits);
    if (b.reach.length > 0) {
      const stamp = (b.stamp = (b.stamp + 1) >>> 0 || 1);
      b.held = 0;
      holdEventKeys(ctx, b.keyAtoms, b.onAtom);
      b.needles?.scan(ctx, b.onNeedle);
      const { reach, rest, atomSeen, ruleSeen, heldAtoms } = b;
      for (let h = 0; h < b.held; h++) {
        const list = reach[heldAtoms[h]!]!;
        for (let i = 0; i < list.length; i++) {
          const pos = list[i]!;
          if (ruleSeen[pos] === stamp) continue;
          ruleSeen[pos] = stamp;
          const clauses = rest[pos];
          if (clauses === undefined || allHold(clauses, atomSeen, stamp)) runRule(rules, pos, ctx, event, hits);
        }
      }
      if (hits.length > 1) hits.sort((x, y) => x - y);
    }
    const out: CompiledRule[] = new Array(hits.length);
    for (let i = 0; i < hits.length; i++) out[i] = rules[hits[i]!]!;
    return out;
  }

  /** The previous event's logsource and bucket: consecutive events mostly share one. */
  private last: { category?: string; product?: string; service?: string; bucket: Bucket } | undefined;

  private bucket(ls: LogSource): Bucket {
    const last = this.last;
    if (last !== undefined && last.category === ls.category && last.product === ls.product && last.service === ls.service) return last.bucket;
    const bucket = this.lookup(ls);
    this.last = { category: ls.category, product: ls.product, service: ls.service, bucket };
    return bucket;
  }

  private lookup(ls: LogSource): Bucket {
    const cat = ls.category ?? '';
    const prod = ls.product ?? '';
    const svc = ls.service ?? '';
    let byProduct = this.buckets.get(cat);
    if (!byProduct) this.buckets.set(cat, (byProduct = new Map()));
    let byService = byProduct.get(prod);
    if (!byService) byProduct.set(prod, (byService = new Map()));
    let b = byService.get(svc);
    if (!b) byService.set(svc, (b = this.canonicalBucket(ls)));
    return b;
  }

  /** Events that differ only in case share one bucket (lower-cased once per combination, not per event). */
  private readonly canonical = new Map<string, Bucket>();

  private canonicalBucket(ls: LogSource): Bucket {
    const key = [ls.category, ls.product, ls.service].map((v) => (v === undefined ? '\u0001' : v.toLowerCase())).join('\u0000');
    let b = this.canonical.get(key);
    if (!b) this.canonical.set(key, (b = this.build(ls)));
    return b;
  }

  private build(ls: LogSource): Bucket {
    const cat = ls.category?.toLowerCase();
    const prod = ls.product?.toLowerCase();
    const svc = ls.service?.toLowerCase();
    const ok = (want: string | undefined, have: string | undefined) => want === undefined || want === have;
    const categoryOk = (want: string | undefined) =>
      ok(want, cat) || (want !== undefined && cat !== undefined && (CATEGORY_ALIASES.get(want)?.includes(cat) ?? false));
    const applies = this.logsources.map((k) => categoryOk(k.category) && ok(k.product, prod) && ok(k.service, svc));
    const rules = this.rules.filter((_, i) => applies[this.logsourceOf[i]!]);
    const usePrefilter = rules.length >= PREFILTER_MIN_RULES;
    const always: number[] = [];
    const atomIds = new Map<string, number>();
    const reach: number[][] = [];
    const atomOf = (a: string) => {
      let id = atomIds.get(a);
      if (id === undefined) atomIds.set(a, (id = reach.push([]) - 1));
      return id;
    };
    // Indexed loops and forEach, not for-of: this runs once per bucket, mostly before the
    // optimizer sees it, where each for-of step allocates its iterator result.
    const rest: (Int32Array[] | undefined)[] = new Array(rules.length).fill(undefined);
    for (let pos = 0; pos < rules.length; pos++) {
      const r = rules[pos]!;
      const anchors = r instanceof SigmaRule ? bucketAnchors(r.anchors, usePrefilter) : [];
      if (anchors.length === 0) {
        always.push(pos);
        continue;
      }
      anchors[0]!.forEach((a) => void reach[atomOf(a)]!.push(pos));
      if (anchors.length === 1) continue;
      const clauses: Int32Array[] = new Array(anchors.length - 1);
      for (let c = 1; c < anchors.length; c++) {
        const ids = new Int32Array(anchors[c]!.size);
        let i = 0;
        anchors[c]!.forEach((a) => void (ids[i++] = atomOf(a)));
        clauses[c - 1] = ids;
      }
      rest[pos] = clauses;
    }
    const keyAtoms = Array.from({ length: KEY_FIELD_COUNT }, () => new Map<string, number>());
    const needles: { field: string; text: string }[] = [];
    const needleAtoms: number[] = [];
    atomIds.forEach((id, a) => {
      if (a[0] === 'K') {
        const { field, value } = keyAnchorParts(a);
        keyAtoms[field]!.set(value, id);
      } else {
        const z = a.indexOf('\0');
        needles.push({ field: a.slice(1, z), text: a.slice(z + 1) });
        needleAtoms.push(id);
      }
    });
    const b: Bucket = {
      rules,
      always: Int32Array.from(always),
      keyAtoms,
      needles: needles.length ? new NeedleIndex(needles) : undefined,
      needleAtoms: Int32Array.from(needleAtoms),
      reach: reach.map((v) => Int32Array.from(v)),
      rest,
      atomSeen: new Uint32Array(reach.length),
      ruleSeen: new Uint32Array(rules.length),
      heldAtoms: new Int32Array(reach.length),
      held: 0,
      stamp: 0,
      onAtom: (atom) => hold(b, atom),
      onNeedle: (n) => hold(b, b.needleAtoms[n]!),
    };
    return b;
  }
}

/**
 * The anchors a bucket indexes a rule by. A small bucket builds no automaton: its rules are
 * reached by exact keys alone (an EventID, an image name: one Map lookup per key field per
 * event), or run on every event; keyword rules are prefiltered in any bucket (see
 * PREFILTER_MIN_RULES).
 */
function bucketAnchors(anchors: Anchors, usePrefilter: boolean): Anchors {
  if (usePrefilter || searchesKeywords(anchors)) return anchors;
  return anchors.filter(onlyKeys);
}

function onlyKeys(clause: Clause): boolean {
  let keys = true;
  clause.forEach((a) => void (keys &&= a[0] === 'K'));
  return keys;
}

function hold(b: Bucket, atom: number): void {
  if (b.atomSeen[atom] === b.stamp) return;
  b.atomSeen[atom] = b.stamp;
  b.heldAtoms[b.held++] = atom;
}

/** Every clause has an atom that holds for the current event. */
function allHold(clauses: readonly Int32Array[], atomSeen: Uint32Array, stamp: number): boolean {
  for (let c = 0; c < clauses.length; c++) {
    const clause = clauses[c]!;
    let any = false;
    for (let i = 0; i < clause.length; i++) {
      if (atomSeen[clause[i]!] === stamp) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

function runRule(rules: readonly CompiledRule[], pos: number, ctx: EventContext, event: NormalizedEvent, hits: number[]): void {
  const r = rules[pos]!;
  if (r instanceof SigmaRule ? r.test(ctx) : r.matches(event)) hits.push(pos);
}

function lowerLogsource(r: CompiledRule): LogSource {
  if (r instanceof SigmaRule) return r.logsourceKey;
  return {
    category: r.logsource.category?.toLowerCase(),
    product: r.logsource.product?.toLowerCase(),
    service: r.logsource.service?.toLowerCase(),
  };
}
