/**
 * Evaluates correlation rules over the stream of rule matches, in input order.
 *
 * Each correlation keeps, per group (the values of its group-by fields), the matches of the
 * last `timespan` in time order. Conditions with only a lower bound (gt/gte: "at least N") are
 * tested on every arrival over the sliding window ending at the newest match, and fire as soon
 * as they hold; the group then starts afresh, so one burst gives one alert. Conditions with an
 * upper bound (lt/lte/eq) can only be decided when a window is complete: the window opens at
 * the group's first match and is tested when a later match falls outside it, when the clock has
 * passed it, or at the end of the input.
 *
 * Bounded memory: at most MAX_GROUPS groups per correlation (least recently updated first out)
 * and MAX_EVENTS_PER_GROUP matches per group (oldest first out); groups idle longer than the
 * timespan are dropped. Matches without a time take no part.
 */
import type { Provenance } from '../../events/event.js';
import { MAX_EVENTS_PER_GROUP, type CorrelationInputRule, type CorrelationRule } from './correlation-rule.js';
import { insertSorted, measure, type EventRef, type WindowItem } from './window.js';

export const MAX_GROUPS = 10_000;
/** Events listed in one alert; the count says how many there were. */
export const MAX_LISTED = 50;

/** A match of a rule that correlations refer to, reduced to what they need. */
export interface CorrelationInput {
  time?: number;
  seq: number;
  /** The fields named by `fieldsFor(rule)`, stringified; null when absent. */
  values: Record<string, string | null>;
  refs: EventRef[];
}

export interface CorrelationHit {
  rule: CorrelationRule;
  /** Time and position of the match that completed it (or closed its window). */
  time: number;
  seq: number;
  host?: string;
  source: Provenance;
  /** group-by name → value. */
  group: Record<string, string | null>;
  count: number;
  /** The correlated events in time order (at most MAX_LISTED). */
  events: EventRef[];
}

interface Group {
  values: Record<string, string | null>;
  items: WindowItem[];
  latest: number;
}

/** The open windows of one correlation rule, as plain JSON data (a streaming checkpoint). */
export interface CorrelationStateSnapshot {
  /** The rule's id, or its title: a snapshot taken under other rules restores only the rules it names. */
  rule: string;
  /** null: no match yet (-Infinity, which JSON cannot write). */
  now: number | null;
  /** In last-update order: [key, group values, latest, items]. */
  groups: Array<[string, Record<string, string | null>, number, WindowItem[]]>;
}

class CorrelationState {
  readonly groups = new Map<string, Group>();
  now = -Infinity;
  constructor(readonly rule: CorrelationRule) {}
}

export class CorrelationEngine {
  /** For each rule a correlation refers to: the correlations it feeds, with its positions there. */
  private readonly consumers = new Map<CorrelationInputRule, Array<{ state: CorrelationState; positions: number[] }>>();
  private readonly states: CorrelationState[] = [];

  constructor(correlations: readonly CorrelationRule[]) {
    for (const rule of correlations) {
      const state = new CorrelationState(rule);
      this.states.push(state);
      rule.inputs.forEach((input, position) => {
        const list = this.consumers.get(input) ?? [];
        const entry = list.find((e) => e.state === state);
        if (entry) entry.positions.push(position);
        else list.push({ state, positions: [position] });
        this.consumers.set(input, list);
      });
    }
  }

  /** The event fields the correlations fed by `rule` read (group-by, value_count field), or undefined if none is. */
  fieldsFor(rule: CorrelationInputRule): string[] | undefined {
    const list = this.consumers.get(rule);
    if (!list) return undefined;
    const names = new Set<string>();
    for (const { state } of list) {
      for (const g of state.rule.groupBy) names.add(state.rule.fieldFor(g, rule));
      if (state.rule.field !== undefined) names.add(state.rule.fieldFor(state.rule.field, rule));
    }
    return [...names];
  }

  /** Feeds one match of `rule`; hits (and hits of correlations chained on them) go to `out`. */
  observe(rule: CorrelationInputRule, input: CorrelationInput, out: CorrelationHit[]): void {
    const list = this.consumers.get(rule);
    if (!list || input.time === undefined) return;
    for (const { state, positions } of list) {
      const hits: CorrelationHit[] = [];
      this.add(state, rule, positions, input as CorrelationInput & { time: number }, hits);
      for (const hit of hits) this.emit(hit, out);
    }
  }

  snapshot(): CorrelationStateSnapshot[] {
    return this.states.map((state) => ({
      rule: state.rule.id ?? state.rule.title,
      now: Number.isFinite(state.now) ? state.now : null,
      groups: [...state.groups].map(([key, g]) => [key, g.values, g.latest, g.items]),
    }));
  }

  /** Replaces the open windows with a snapshot's, rule by rule (by id or title). */
  restore(snapshot: readonly CorrelationStateSnapshot[]): void {
    const byRule = new Map(snapshot.map((s) => [s.rule, s]));
    for (const state of this.states) {
      state.groups.clear();
      const snap = byRule.get(state.rule.id ?? state.rule.title);
      state.now = snap?.now ?? -Infinity;
      for (const [key, values, latest, items] of snap?.groups ?? []) state.groups.set(key, { values, latest, items: items.map((it) => ({ ...it })) });
    }
  }

  /** End of input: windows still open are decided now. */
  finish(out: CorrelationHit[]): void {
    for (const state of new Set([...this.consumers.values()].flat().map((e) => e.state))) {
      if (!state.rule.needsClosedWindow) continue;
      for (const [key, group] of state.groups) {
        state.groups.delete(key);
        const last = group.items[group.items.length - 1];
        if (last) {
          const hits: CorrelationHit[] = [];
          this.decide(state, group, last.time, last.seq, hits);
          for (const hit of hits) this.emit(hit, out);
        }
      }
    }
  }

  private emit(hit: CorrelationHit, out: CorrelationHit[]): void {
    out.push(hit);
    // Chained correlations see the hit as a match of the correlation rule, grouped by its group values.
    this.observe(hit.rule, { time: hit.time, seq: hit.seq, values: hit.group, refs: hit.events }, out);
  }

  private add(state: CorrelationState, source: CorrelationInputRule, positions: number[], input: CorrelationInput & { time: number }, hits: CorrelationHit[]): void {
    const rule = state.rule;
    const span = rule.timespanMs;
    const groupValues: Record<string, string | null> = {};
    for (const g of rule.groupBy) groupValues[g] = input.values[rule.fieldFor(g, source)] ?? null;
    const key = JSON.stringify(rule.groupBy.map((g) => groupValues[g]));
    const item: WindowItem = {
      time: input.time, seq: input.seq, positions,
      value: rule.field === undefined ? null : input.values[rule.fieldFor(rule.field, source)] ?? null,
      refs: input.refs,
    };
    if (input.time > state.now) state.now = input.time;
    this.expire(state, input.seq, hits);

    let group = state.groups.get(key);
    if (group && rule.needsClosedWindow && item.time > group.items[0]!.time + span) {
      // The group's window is complete: decide it, and this match opens the next one.
      state.groups.delete(key);
      this.decide(state, group, item.time, item.seq, hits);
      group = undefined;
    }
    if (!group) {
      group = { values: groupValues, items: [], latest: item.time };
      if (state.groups.size >= MAX_GROUPS) this.evictOldest(state, item.seq, hits);
    } else state.groups.delete(key); // re-inserted below: the map stays in last-update order
    state.groups.set(key, group);

    if (item.time < group.latest - span) return; // too late for any window still open: dropped
    insertSorted(group.items, item);
    if (item.time > group.latest) group.latest = item.time;
    if (rule.needsClosedWindow) {
      const first = group.items[0]!.time;
      while (group.items.length > 0 && group.items[group.items.length - 1]!.time > first + span) group.items.pop(); // cannot happen in order; guards late inserts
    } else {
      while (group.items.length > 0 && group.items[0]!.time < group.latest - span) group.items.shift();
    }
    if (group.items.length > MAX_EVENTS_PER_GROUP) group.items.splice(0, group.items.length - MAX_EVENTS_PER_GROUP);
    if (!rule.needsClosedWindow) {
      const { count, members } = measure(rule, group.items);
      if (rule.test(count)) {
        state.groups.delete(key);
        hits.push(this.hit(rule, group, count, members, item.time, item.seq));
      }
    }
  }

  /** Closed-window decision for a complete group. */
  private decide(state: CorrelationState, group: Group, time: number, seq: number, hits: CorrelationHit[]): void {
    const { count, members } = measure(state.rule, group.items);
    if (state.rule.test(count)) hits.push(this.hit(state.rule, group, count, members, time, seq));
  }

  /** Drops groups whose newest match is older than the timespan (deciding closed windows first). */
  private expire(state: CorrelationState, seq: number, hits: CorrelationHit[]): void {
    const span = state.rule.timespanMs;
    for (const [key, group] of state.groups) {
      if (group.latest >= state.now - span) break; // last-update order ≈ time order
      state.groups.delete(key);
      if (state.rule.needsClosedWindow) this.decide(state, group, group.latest, seq, hits);
    }
  }

  private evictOldest(state: CorrelationState, seq: number, hits: CorrelationHit[]): void {
    const [key, group] = state.groups.entries().next().value!;
    state.groups.delete(key);
    if (state.rule.needsClosedWindow) this.decide(state, group, group.latest, seq, hits);
  }

  private hit(rule: CorrelationRule, group: Group, count: number, members: WindowItem[], time: number, seq: number): CorrelationHit {
    // A condition such as `lt: 5` can hold with no counted member (value_count over absent values).
    const refs = (members.length > 0 ? members : group.items).flatMap((m) => m.refs);
    const events = refs.length > MAX_LISTED ? refs.slice(refs.length - MAX_LISTED) : refs;
    const last = refs[refs.length - 1]!;
    return { rule, time, seq, host: last.host, source: last.source, group: group.values, count, events };
  }
}
