import type { NormalizedEvent } from '../events/event.js';
import { EventContext } from '../sigma/field-access.js';
import {
  CorrelationEngine, RuleIndex, silentRules,
  type CompiledRule, type CorrelationHit, type CorrelationInputRule, type CorrelationStateSnapshot, type EventRef,
} from '../sigma/index.js';
import type { Alert } from './alert.js';
import type { Pack } from './pack.js';

/**
 * A match of a rule that a correlation refers to, reduced to what the correlation needs. Plain
 * data: worker threads send these to the main thread, which runs the correlations in input order.
 */
export interface CorrelationMatch {
  /** Index of the pack, and of the rule in `pack.rules`. */
  pack: number;
  rule: number;
  time?: number;
  seq: number;
  values: Record<string, string | null>;
  ref: EventRef;
}

/** Runs every pack's rules on an event and applies each pack's selection policy. */
export class Detector {
  private readonly indexed: Array<{
    pack: Pack;
    index: RuleIndex;
    /** Rules that only feed correlations (`generate: false`). */
    silent: Set<CorrelationInputRule>;
    /** Rules correlations refer to → their index in pack.rules and the fields to keep. */
    feeds: Map<CompiledRule, { rule: number; fields: string[] }>;
  }>;
  /** Used when `detect` is called without a match list: correlations run right here. */
  private correlator: Correlator | undefined;
  /** One field cache for every pack, reset per event (each field is resolved and lower-cased once). */
  private readonly ctx = new EventContext({});

  constructor(packs: Pack[]) {
    this.indexed = packs.map((pack) => {
      const correlations = pack.correlations ?? [];
      const engine = new CorrelationEngine(correlations);
      const feeds = new Map<CompiledRule, { rule: number; fields: string[] }>();
      pack.rules.forEach((rule, i) => {
        const fields = engine.fieldsFor(rule);
        if (fields) feeds.set(rule, { rule: i, fields });
      });
      return { pack, index: new RuleIndex(pack.rules), silent: silentRules(correlations), feeds };
    });
  }

  /**
   * Alerts of the event go to `out`. Matches of rules that correlations refer to go to
   * `matches` when given (worker threads; the main thread correlates them), else they are
   * correlated here and correlation alerts follow the event's own alerts in `out`.
   */
  detect(event: NormalizedEvent, seq: number, out: Alert[], matches?: CorrelationMatch[]): void {
    const local: CorrelationMatch[] | undefined = matches ? undefined : [];
    const ctx = this.ctx;
    ctx.reset(event.fields);
    for (let p = 0; p < this.indexed.length; p += 1) {
      const { pack, index, silent, feeds } = this.indexed[p]!;
      const matched = index.match(event, ctx);
      if (matched.length === 0) continue;
      if (feeds.size > 0) {
        for (const rule of matched) {
          const feed = feeds.get(rule);
          if (feed) (matches ?? local)!.push({ pack: p, rule: feed.rule, time: event.time, seq, values: project(event, ctx, feed.fields), ref: refOf(rule, event, seq) });
        }
      }
      const alerting = silent.size > 0 ? matched.filter((r) => !silent.has(r)) : matched;
      // first-match mirrors SQL CASE: the first rule in pack order decides the row.
      const chosen = pack.selection === 'first-match' ? alerting.slice(0, 1) : alerting;
      for (const rule of chosen) {
        out.push({ seq, pack, rule, label: (rule.id && pack.labels.get(rule.id)) || '', event });
      }
    }
    if (local && local.length > 0) (this.correlator ??= new Correlator(this.indexed.map((x) => x.pack))).correlate(local, out);
  }

  /** End of input: correlation windows still open are decided (only when correlating here). */
  finish(out: Alert[]): void {
    this.correlator?.finish(out);
  }

  /** The open correlation windows of the packs correlated here (none before the first match). */
  snapshot(): CorrelatorSnapshot {
    return this.correlator?.snapshot() ?? [];
  }

  restore(snapshot: CorrelatorSnapshot): void {
    (this.correlator ??= new Correlator(this.indexed.map((x) => x.pack))).restore(snapshot);
  }
}

/** Each pack's open correlation windows, by pack name (a streaming checkpoint). */
export type CorrelatorSnapshot = Array<{ pack: string; correlations: CorrelationStateSnapshot[] }>;

/** Runs the packs' correlation rules over matches in input order and makes their alerts. */
export class Correlator {
  private readonly engines: CorrelationEngine[];
  /** Correlations that only feed other correlations (`generate: false` on the outer one). */
  private readonly silent: Array<Set<CorrelationInputRule>>;

  constructor(private readonly packs: Pack[]) {
    this.engines = packs.map((pack) => new CorrelationEngine(pack.correlations ?? []));
    this.silent = packs.map((pack) => silentRules(pack.correlations ?? []));
  }

  correlate(matches: readonly CorrelationMatch[], out: Alert[]): void {
    const hits: CorrelationHit[] = [];
    for (const m of matches) {
      const pack = this.packs[m.pack]!;
      this.engines[m.pack]!.observe(pack.rules[m.rule]!, { time: m.time, seq: m.seq, values: m.values, refs: [m.ref] }, hits);
      for (const hit of hits) if (!this.silent[m.pack]!.has(hit.rule)) out.push(correlationAlert(pack, hit));
      hits.length = 0;
    }
  }

  snapshot(): CorrelatorSnapshot {
    return this.engines.map((engine, p) => ({ pack: this.packs[p]!.name, correlations: engine.snapshot() }));
  }

  /** Replaces the open windows with a snapshot's: pack by name, correlation by rule id. */
  restore(snapshot: CorrelatorSnapshot): void {
    const byPack = new Map(snapshot.map((s) => [s.pack, s.correlations]));
    this.engines.forEach((engine, p) => engine.restore(byPack.get(this.packs[p]!.name) ?? []));
  }

  finish(out: Alert[]): void {
    this.engines.forEach((engine, p) => {
      const hits: CorrelationHit[] = [];
      engine.finish(hits);
      for (const hit of hits) if (!this.silent[p]!.has(hit.rule)) out.push(correlationAlert(this.packs[p]!, hit));
    });
  }
}

/** A correlation alert: its "event" carries the group values; `correlated` names the events. */
function correlationAlert(pack: Pack, hit: CorrelationHit): Alert {
  const fields = { ...hit.group, CorrelationType: hit.rule.type, CorrelationCount: hit.count };
  return {
    seq: hit.seq, pack, rule: hit.rule, label: (hit.rule.id && pack.labels.get(hit.rule.id)) || '',
    event: { time: hit.time, host: hit.host, fields, source: hit.source },
    correlated: hit.events,
  };
}

function refOf(rule: CompiledRule, event: NormalizedEvent, seq: number): EventRef {
  return { rule: rule.id ?? rule.title, title: rule.title, time: event.time, host: event.host, source: event.source, seq };
}

/** Field values as correlations compare them: strings; null when absent. `host`/`user` fall back to the event's. */
function project(event: NormalizedEvent, ctx: EventContext, fields: readonly string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of fields) {
    const v = ctx.get(name) ?? (name === 'host' ? event.host : name === 'user' ? event.user : undefined);
    out[name] = v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
