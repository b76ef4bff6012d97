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

export class RuleIndex {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly rules: CompiledRule[]) {}

  /** Rules whose logsource can apply to an event with this logsource (cached per combination). */
  candidates(ls: LogSource): readonly CompiledRule[] {
    return this.bucket(ls).rules;
  }

  /** All rules that match the event, in index order. */
  match(event: NormalizedEvent): CompiledRule[] {
    const b = this.bucket(event);
    const ctx = new EventContext(event.fields);
    const rules = b.rules;
    const hits: number[] = [];
    const run = (pos: number) => {
      const r = rules[pos]!;
      if (r instanceof SigmaRule ? r.test(ctx) : r.matches(event)) hits.push(pos);
    };
    const always = b.always;
    for (let i = 0; i < always.length; i++) run(always[i]!);
    const stamp = (b.stamp = (b.stamp + 1) >>> 0 || 1);
    const runOnce = (list: Int32Array) => {
      for (let i = 0; i < list.length; i++) {
        const pos = list[i]!;
        if (b.seen[pos] === stamp) continue;
        b.seen[pos] = stamp;
        run(pos);
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
    return hits.map((p) => rules[p]!);
  }

  private bucket(ls: LogSource): Bucket {
    const cat = ls.category?.toLowerCase();
    const prod = ls.product?.toLowerCase();
    const svc = ls.service?.toLowerCase();
    const key = `${cat ?? ''}\u0000${prod ?? ''}\u0000${svc ?? ''}\u0000${cat === undefined ? 0 : 1}${prod === undefined ? 0 : 1}${svc === undefined ? 0 : 1}`;
    let b = this.buckets.get(key);
    if (!b) {
      const ok = (want: string | undefined, have: string | undefined) => want === undefined || want === have;
      const rules = this.rules.filter((r) => {
        const k = lowerLogsource(r);
        return ok(k.category, cat) && ok(k.product, prod) && ok(k.service, svc);
      });
      const always: number[] = [];
      const byKey = new Map<string, number[]>();
      const needleIds = new Map<string, number>();
      const needleRules: number[][] = [];
      rules.forEach((r, pos) => {
        const anchors = r instanceof SigmaRule ? r.anchors : null;
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
      b = {
        rules,
        always: Int32Array.from(always),
        byKey: new Map([...byKey].map(([k, v]) => [k, Int32Array.from(v)])),
        needles: needles.length ? new NeedleIndex(needles) : undefined,
        needleRules: needleRules.map((v) => Int32Array.from(v)),
        seen: new Uint32Array(rules.length),
        stamp: 0,
      };
      this.buckets.set(key, b);
    }
    return b;
  }
}

function lowerLogsource(r: CompiledRule): LogSource {
  if (r instanceof SigmaRule) return r.logsourceKey;
  return {
    category: r.logsource.category?.toLowerCase(),
    product: r.logsource.product?.toLowerCase(),
    service: r.logsource.service?.toLowerCase(),
  };
}
