/**
 * A Sigma correlation rule (sigma-specification, "Sigma Correlation Rules", v2):
 *
 *   correlation:
 *     type: event_count | value_count | temporal | temporal_ordered
 *     rules: [id or name, …]          # Sigma rules or other correlations
 *     group-by: [field, …]            # optional: one group for everything
 *     timespan: 5m                    # src/duration.ts: 90s, 5m, 1h30m, 7d, 2w
 *     condition: {gte: 10}            # gt/gte/lt/lte/eq (AND-ed); value_count adds `field`
 *     aliases: {alias: {rule: field}} # group-by names mapped per referenced rule
 *   generate: false                   # referenced rules also alert on their own when true
 *
 * Problems throw RuleError at the offending node, so the loader reports file:line:column.
 */
import { DURATION_EXAMPLES, parseDuration } from '../../duration.js';
import type { LogSource } from '../../events/event.js';
import { RuleError } from '../errors.js';
import { parseMetadata } from '../rule-metadata.js';
import type { CompiledRule } from '../rule.js';

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';
const TYPES: readonly CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered'];

export interface CountCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
}
const OPS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;
const SECTION_KEYS = new Set(['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate']);

/** Per-group retained matches: the upper bound a condition may ask for. */
export const MAX_EVENTS_PER_GROUP = 1000;

/** A rule a correlation can refer to: an event rule or another correlation. */
export type CorrelationInputRule = CompiledRule | CorrelationRule;

export class CorrelationRule {
  readonly kind = 'correlation' as const;
  // Set from parseMetadata in the constructor (shared with the other rule kind).
  declare id?: string;
  declare name?: string;
  declare title: string;
  declare level?: string;
  declare status?: string;
  declare description?: string;
  declare tags: string[];
  declare falsepositives: string[];
  /** Correlations have no logsource of their own (kept for the rule shape alerts print). */
  logsource: LogSource = {};
  type: CorrelationType;
  /** The references as written (`rules`), in order. */
  refs: string[];
  /** Where each reference is written (filled in by the loader), for resolution errors. */
  refPositions: Array<{ line: number; column: number }> = [];
  groupBy: string[];
  timespanMs: number;
  condition: CountCondition;
  /** value_count: the field whose distinct values are counted. */
  field?: string;
  /** alias → (referenced rule id or name → field). */
  aliases: Map<string, Map<string, string>>;
  generate: boolean;
  /** The referenced rules, in `refs` order (set by resolveCorrelations). */
  inputs: CorrelationInputRule[] = [];

  constructor(readonly raw: Record<string, unknown>, readonly file: string, readonly line: number) {
    if (raw.detection !== undefined) throw new RuleError('a correlation rule has no detection section (refer to event rules in correlation.rules)', ['detection'], true);
    Object.assign(this, parseMetadata(raw));

    const sec = raw.correlation;
    if (typeof sec !== 'object' || sec === null || Array.isArray(sec)) throw new RuleError('correlation must be a mapping', ['correlation']);
    const c = sec as Record<string, unknown>;
    for (const key of Object.keys(c)) {
      if (!SECTION_KEYS.has(key)) throw new RuleError(`unknown correlation attribute '${key}'`, ['correlation', key], true);
    }
    const type = c.type;
    if (type === undefined) throw new RuleError('correlation needs a type (event_count, value_count, temporal, temporal_ordered)', ['correlation'], true);
    if (!TYPES.includes(type as CorrelationType)) {
      throw new RuleError(`unknown correlation type '${String(type)}' (event_count, value_count, temporal, temporal_ordered)`, ['correlation', 'type']);
    }
    this.type = type as CorrelationType;
    if (c.rules === undefined || c.rules === null) throw new RuleError('correlation needs rules (the ids or names of the rules it correlates)', ['correlation'], true);
    this.refs = stringList(c.rules, ['correlation', 'rules'], 'rules');
    if (this.refs.length === 0) throw new RuleError('correlation needs at least one rule in rules', ['correlation', 'rules']);
    this.groupBy = c['group-by'] === undefined || c['group-by'] === null ? [] : stringList(c['group-by'], ['correlation', 'group-by'], 'group-by');
    this.timespanMs = parseTimespan(c.timespan);
    const generate = c.generate ?? raw.generate;
    if (generate !== undefined && typeof generate !== 'boolean') {
      throw new RuleError("'generate' must be true or false", c.generate !== undefined ? ['correlation', 'generate'] : ['generate']);
    }
    this.generate = generate === true;
    const { condition, field } = parseCondition(c.condition, this.type, this.refs.length);
    this.condition = condition;
    this.field = field;
    this.aliases = parseAliases(c.aliases);
  }

  /** True when the condition has an upper bound: it can only be decided once a window closes. */
  get needsClosedWindow(): boolean {
    const c = this.condition;
    return c.lt !== undefined || c.lte !== undefined || c.eq !== undefined;
  }

  test(count: number): boolean {
    const c = this.condition;
    return (c.gt === undefined || count > c.gt) && (c.gte === undefined || count >= c.gte) && (c.lt === undefined || count < c.lt)
      && (c.lte === undefined || count <= c.lte) && (c.eq === undefined || count === c.eq);
  }

  /** The event field a group-by name (or the value_count field) reads for events of `input`. */
  fieldFor(name: string, input: CorrelationInputRule): string {
    const alias = this.aliases.get(name);
    if (!alias) return name;
    return (input.name !== undefined ? alias.get(input.name) : undefined) ?? (input.id !== undefined ? alias.get(input.id) : undefined) ?? name;
  }
}

function stringList(v: unknown, path: (string | number)[], what: string): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) throw new RuleError(`${what} must be a list of strings`, path);
  return v.map((x, i) => {
    if (typeof x !== 'string' || x === '') throw new RuleError(`${what} must be a list of non-empty strings`, [...path, i]);
    return x;
  });
}

function parseTimespan(v: unknown): number {
  const path = ['correlation', 'timespan'];
  if (v === undefined || v === null) throw new RuleError('correlation needs a timespan (e.g. 5m)', ['correlation'], true);
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) throw new RuleError(`timespan must be a duration like ${DURATION_EXAMPLES}, not '${String(v)}'`, path);
  if (ms <= 0) throw new RuleError('timespan must be greater than 0', path);
  return ms;
}

function parseCondition(v: unknown, type: CorrelationType, refCount: number): { condition: CountCondition; field?: string } {
  const path = ['correlation', 'condition'];
  if (v === undefined || v === null) {
    if (type === 'event_count' || type === 'value_count') throw new RuleError(`a ${type} correlation needs a condition (e.g. gte: 10)`, ['correlation'], true);
    return { condition: { gte: refCount } }; // temporal: every referenced rule
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw new RuleError('condition must be a mapping such as {gte: 10}', path);
  const obj = v as Record<string, unknown>;
  const condition: CountCondition = {};
  let field: string | undefined;
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'field') {
      if (type !== 'value_count') throw new RuleError("'field' belongs to value_count correlations only", [...path, key], true);
      if (typeof value !== 'string' || value === '') throw new RuleError("condition 'field' must be a field name", [...path, key]);
      field = value;
      continue;
    }
    if (!(OPS as readonly string[]).includes(key)) throw new RuleError(`unknown condition operator '${key}' (gt, gte, lt, lte, eq)`, [...path, key], true);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new RuleError(`condition ${key} must be a non-negative integer`, [...path, key]);
    if (value > MAX_EVENTS_PER_GROUP) {
      throw new RuleError(`condition ${key}: ${value} is above the ${MAX_EVENTS_PER_GROUP} events kept per group`, [...path, key]);
    }
    condition[key as (typeof OPS)[number]] = value;
  }
  if (Object.keys(condition).length === 0) throw new RuleError('condition needs one of gt, gte, lt, lte, eq', path);
  if (type === 'value_count' && field === undefined) throw new RuleError('a value_count condition needs a field', path);
  return { condition, field };
}

function parseAliases(v: unknown): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  if (v === undefined || v === null) return out;
  const path = ['correlation', 'aliases'];
  if (typeof v !== 'object' || Array.isArray(v)) throw new RuleError('aliases must map alias names to {rule: field}', path);
  for (const [alias, map] of Object.entries(v as Record<string, unknown>)) {
    if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new RuleError(`alias '${alias}' must map rule names to fields`, [...path, alias]);
    const fields = new Map<string, string>();
    for (const [rule, field] of Object.entries(map as Record<string, unknown>)) {
      if (typeof field !== 'string' || field === '') throw new RuleError(`alias '${alias}' for '${rule}' must be a field name`, [...path, alias, rule]);
      fields.set(rule, field);
    }
    out.set(alias, fields);
  }
  return out;
}
