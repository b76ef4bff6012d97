/**
 * Correlation rules (Sigma 2.0 `correlation:` documents). The native engine rejects them, so
 * they are read here from the rule files: base rules through the normal loader, the
 * correlation document from the raw YAML, rules referenced by `name` (or id).
 */
import { parseAllDocuments } from 'yaml';
import { loadRulesFromText } from '../sigma/yaml-loader.js';
import { SigmaRule } from '../sigma/rule.js';
import { DURATION_EXAMPLES, inOneUnit, parseDuration } from '../duration.js';
import { ConversionError } from './ir.js';

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile';

export interface Condition {
  op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';
  value: number;
  field?: string;
  /** `count >= 10` in SQL-like syntax for a given aggregate alias. */
  sql(alias: string): string;
}

export interface Correlation {
  title: string;
  type: CorrelationType;
  rules: { name: string; rule: SigmaRule }[];
  groupBy: string[];
  timespan: { text: string; seconds: number };
  condition: Condition;
  /** `temporal` with a boolean expression over rule names instead of "all of them". */
  expression?: string;
  /** Sigma `generate`: also output the base rules as queries of their own (default false). */
  generate: boolean;
  /** Field aliases: alias → (rule name → that rule's field), so group-by can name one field for all rules. */
  aliases: Map<string, Map<string, string>>;
}

/** The renames (field → alias) a correlation's aliases ask for on one base rule. */
export function renamesFor(c: Correlation, ruleName: string): [string, string][] {
  const out: [string, string][] = [];
  for (const [alias, perRule] of c.aliases) {
    const field = perRule.get(ruleName);
    if (field !== undefined) out.push([field, alias]);
  }
  return out;
}

const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '!=' } as const;

/** A correlation's timespan, with `text` in one unit (SPL's `span=`, EQL's `maxspan=` take one). */
export function parseTimespan(text: string): { text: string; seconds: number } {
  const ms = parseDuration(text);
  if (ms === undefined || ms === 0) throw new ConversionError(`correlation timespan '${text}' is not a duration like ${DURATION_EXAMPLES}`);
  return { text: inOneUnit(text).short, seconds: ms / 1000 };
}

function condition(raw: unknown, type: string): Condition {
  if (type.startsWith('temporal') && (raw === undefined || typeof raw === 'string')) return mk('gte', 0);
  if (typeof raw !== 'object' || raw === null) throw new ConversionError('correlation condition must be a mapping like {gte: 10}');
  const r = raw as Record<string, unknown>;
  const op = (Object.keys(OPS) as (keyof typeof OPS)[]).find((k) => typeof r[k] === 'number');
  if (!op) throw new ConversionError('correlation condition needs one of gt, gte, lt, lte, eq, neq with a number');
  return mk(op, r[op] as number, typeof r.field === 'string' ? r.field : undefined);
}

function mk(op: Condition['op'], value: number, field?: string): Condition {
  return { op, value, field, sql: (alias) => `${alias} ${OPS[op]} ${value}` };
}

/** Correlations of one file plus the base rules they name (which may live in the same file). */
export function correlationsFromText(text: string, file: string, extraRules: SigmaRule[] = []): Correlation[] {
  const base = [...(loadRulesFromText(text, file).rules as SigmaRule[]), ...extraRules];
  const byName = new Map<string, SigmaRule>();
  for (const r of base) {
    if (typeof r.raw.name === 'string') byName.set(r.raw.name, r);
    if (r.id) byName.set(r.id, r);
  }
  const out: Correlation[] = [];
  for (const doc of parseAllDocuments(text, { schema: 'core' }) as ReturnType<typeof parseAllDocuments>) {
    if (!('toJS' in doc) || doc.errors.length > 0) continue;
    let obj: Record<string, unknown> | null;
    try {
      obj = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null;
    } catch {
      continue; // an alias without its anchor, or a billion laughs: the loader rejects it with its position
    }
    if (!obj || typeof obj.correlation !== 'object' || obj.correlation === null) continue;
    const c = obj.correlation as Record<string, unknown>;
    const type = String(c.type ?? '');
    if (!['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile'].includes(type))
      throw new ConversionError(`unknown correlation type '${type}'`);
    const names = c.rules === undefined ? [...byName.keys()].filter((n) => !/^[0-9a-f-]{36}$/.test(n)) : Array.isArray(c.rules) ? c.rules.map(String) : [String(c.rules)];
    const rules = names.map((name) => {
      const rule = byName.get(name);
      if (!rule) throw new ConversionError(`correlation '${String(obj.title)}' names rule '${name}', which is not loaded`);
      return { name, rule };
    });
    const groupBy = c['group-by'] === undefined ? [] : Array.isArray(c['group-by']) ? c['group-by'].map(String) : [String(c['group-by'])];
    out.push({
      title: String(obj.title ?? ''),
      type: type as CorrelationType,
      rules,
      groupBy,
      timespan: parseTimespan(String(c.timespan ?? c.timeframe ?? '')),
      condition: condition(c.condition, type),
      expression: typeof c.condition === 'string' ? c.condition : undefined,
      aliases: parseAliases(c.aliases),
      generate: c.generate === true,
    });
  }
  return out;
}

function parseAliases(raw: unknown): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConversionError('correlation aliases must map alias → {rule: field}');
  for (const [alias, perRule] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof perRule !== 'object' || perRule === null) throw new ConversionError(`correlation alias '${alias}' must map rule names to fields`);
    out.set(alias, new Map(Object.entries(perRule as Record<string, unknown>).map(([r, f]) => [r, String(f)])));
  }
  return out;
}

/** True when a file's text holds a correlation document (so the CLI routes it here). */
export const hasCorrelation = (text: string) => /^\s*correlation:/m.test(text);
