/**
 * The per-group state of one correlation rule: matches in time order inside a sliding window,
 * and the measure each correlation type takes of them.
 */
import type { Provenance } from '../../events/event.js';
import type { CorrelationRule } from './correlation-rule.js';

/** One event a correlation alert names: the rule it matched and where it came from. */
export interface EventRef {
  /** Id of the matched rule, or its title when it has none. */
  rule: string;
  title: string;
  time?: number;
  host?: string;
  source: Provenance;
  /** Input position (stable order across threads). */
  seq: number;
}

export interface WindowItem {
  time: number;
  seq: number;
  /** Positions in the correlation's `rules` list that the matched rule occupies. */
  positions: number[];
  /** value_count: the counted field's value (null when absent: not counted). */
  value: string | null;
  refs: EventRef[];
}

/** Sorted by (time, seq): slightly late arrivals are inserted where they belong. */
export function insertSorted(items: WindowItem[], item: WindowItem): void {
  let i = items.length;
  while (i > 0 && (items[i - 1]!.time > item.time || (items[i - 1]!.time === item.time && items[i - 1]!.seq > item.seq))) i -= 1;
  items.splice(i, 0, item);
}

/** The count the condition is tested on, and the items that make it up (the alert's events). */
export function measure(rule: CorrelationRule, items: readonly WindowItem[]): { count: number; members: WindowItem[] } {
  switch (rule.type) {
    case 'event_count':
      return { count: items.length, members: [...items] };
    case 'value_count': {
      const seen = new Set<string>();
      const members: WindowItem[] = [];
      for (const it of items) {
        if (it.value === null || seen.has(it.value)) continue;
        seen.add(it.value);
        members.push(it);
      }
      return { count: seen.size, members };
    }
    case 'temporal': {
      // Latest match of each referenced rule.
      const latest = new Map<number, WindowItem>();
      for (const it of items) for (const p of it.positions) latest.set(p, it);
      const members = [...new Set(latest.values())].sort((a, b) => a.time - b.time || a.seq - b.seq);
      return { count: latest.size, members };
    }
    case 'temporal_ordered':
      return longestOrderedChain(rule.refs.length, items);
  }
}

/**
 * temporal_ordered: the longest chain of matches, in time order, whose rule positions increase
 * (rules[0] before rules[1] …). Items are few (capped per group), positions are few: O(items × n²).
 */
function longestOrderedChain(n: number, items: readonly WindowItem[]): { count: number; members: WindowItem[] } {
  interface Link { length: number; item: WindowItem; prev?: Link }
  const best: Array<Link | undefined> = new Array(n).fill(undefined);
  for (const it of items) {
    const before = best.slice();
    for (const p of it.positions) {
      let prev: Link | undefined;
      for (let q = 0; q < p; q += 1) if (before[q] && (!prev || before[q]!.length > prev.length)) prev = before[q];
      const length = (prev?.length ?? 0) + 1;
      if (!best[p] || length > best[p]!.length) best[p] = { length, item: it, prev };
    }
  }
  let top: Link | undefined;
  for (const l of best) if (l && (!top || l.length > top.length)) top = l;
  const members: WindowItem[] = [];
  for (let l = top; l; l = l.prev) members.unshift(l.item);
  return { count: top?.length ?? 0, members };
}
