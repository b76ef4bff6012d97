/**
 * Rule index: logsource filtering (cached per logsource combination) plus the anchor
 * prefilter, so an event only runs rules that can possibly match it.
 */
import type { LogSource, NormalizedEvent } from '../events/event.js';
import { EventContext } from './field-access.js';
import { NeedleIndex } from './needle-index.js';
import { eventKeys } from './prefilter.js';
import { SigmaRule, type CompiledRule } from './rule.js';

interface Bucket {
  rules: readonly CompiledRule[];
  /** Positions (in `rules`) of rules evaluated for every event. */
  always: Int32Array;
  /** Exact anchor key → positions of the rules that need it. */
  byKey: Map<string, Int32Array>;
  /** Needle anchors: the scanner, and per needle id the positions of the rules that need it. */
  needles: NeedleIndex | undefined;
  needleRules: Int32Array[];
  /** Per-position stamp, so a rule reached through two keys runs once per event. */
  seen: Uint32Array;
  stamp: number;
}

/**
 * Below this many rules in a bucket the prefilter costs more than it saves (one trigram scan
 * of the indexed fields per event against a handful of cheap matchers): run them all.
 * Measured on the seed pack (4 rules): 2.5x faster detection without the prefilter.
 */
const PREFILTER_MIN_RULES = 32;

/**
 * SigmaHQ's umbrella category: `registry_event` rules apply to every specific registry event
 * category the readers produce (Sysmon 12/13/14).
 */
export const CATEGORY_ALIASES: Record<string, readonly string[]> = {
  registry_event: ['registry_add', 'registry_delete', 'registry_set', 'registry_rename'],
};

export class RuleIndex {
  /** category → product → service → bucket, keyed by the event's raw values ('' = unset). */
  private readonly buckets = new Map<string, Map<string, Map<string, Bucket>>>();

  constructor(private readonly rules: CompiledRule[]) {}

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
    if (b.byKey.size > 0 || b.needles) {
      const stamp = (b.stamp = (b.stamp + 1) >>> 0 || 1);
      const runOnce = (list: Int32Array) => {
        for (let i = 0; i < list.length; i++) {
          const pos = list[i]!;
          if (b.seen[pos] === stamp) continue;
          b.seen[pos] = stamp;
          runRule(rules, pos, ctx, event, hits);
        }
      };
      if (b.byKey.size) {
        for (const key of eventKeys(ctx)) {
          const list = b.byKey.get(key);
          if (list) runOnce(list);
        }
      }
      b.needles?.scan(ctx, (n) => runOnce(b.needleRules[n]!));
      if (hits.length > 1) hits.sort((x, y) => x - y);
    }
    const out: CompiledRule[] = new Array(hits.length);
    for (let i = 0; i < hits.length; i++) out[i] = rules[hits[i]!]!;
    return out;
  }

  private bucket(ls: LogSource): Bucket {
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
      ok(want, cat) || (want !== undefined && cat !== undefined && (CATEGORY_ALIASES[want]?.includes(cat) ?? false));
    const rules = this.rules.filter((r) => {
      const k = lowerLogsource(r);
      return categoryOk(k.category) && ok(k.product, prod) && ok(k.service, svc);
    });
    const usePrefilter = rules.length >= PREFILTER_MIN_RULES;
    const always: number[] = [];
    const byKey = new Map<string, number[]>();
    const needleIds = new Map<string, number>();
    const needleRules: number[][] = [];
    rules.forEach((r, pos) => {
      const anchors = usePrefilter && r instanceof SigmaRule ? r.anchors : null;
      if (!anchors) always.push(pos);
      else
        for (const a of anchors) {
          if (a[0] === 'K') byKey.set(a, [...(byKey.get(a) ?? []), pos]);
          else {
            let id = needleIds.get(a);
            if (id === undefined) needleIds.set(a, (id = needleRules.push([]) - 1));
            needleRules[id]!.push(pos);
          }
        }
    });
    const needles = [...needleIds.keys()].map((a) => {
      const z = a.indexOf('\0');
      return { field: a.slice(1, z), text: a.slice(z + 1) };
    });
    return {
      rules,
      always: Int32Array.from(always),
      byKey: new Map([...byKey].map(([k, v]) => [k, Int32Array.from(v)])),
      needles: needles.length ? new NeedleIndex(needles) : undefined,
      needleRules: needleRules.map((v) => Int32Array.from(v)),
      seen: new Uint32Array(rules.length),
      stamp: 0,
    };
  }
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
