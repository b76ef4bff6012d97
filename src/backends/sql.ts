/**
 * `sql`: DuckDB over the flat events table (see `sql-events.ts` and docs/conversion.md):
 * one VARCHAR column per normalized field, absent = NULL, plus `_category`, `_product`,
 * `_service`, `_time`, `_nulls` (fields present with JSON null) and `_strings` (every string
 * value, for keywords).
 *
 * Case policy: Sigma's default is case-insensitive, so strings use ILIKE (literal % _ \ escaped);
 * `|cased` uses LIKE / =. Regexes use regexp_matches (RE2, the same engine family as the
 * native re2js): unanchored, case-sensitive unless `|i`.
 */
import type { Pack } from '../alerts/pack.js';
import { cidrToWildcards } from '../sigma/cidr.js';
import { CATEGORY_ALIASES } from '../sigma/logsource-index.js';
import type { ValueTest } from '../sigma/modifiers.js';
import type { SigmaRule } from '../sigma/rule.js';
import { SigmaString } from '../sigma/sigma-string.js';
import { TextBackend, unsupported, type Ctx, type Tokens } from './base.js';
import { renamesFor, type Correlation } from './correlation.js';
import { parseCondition, type CondNode } from '../sigma/condition.js';
import { ipv4InCidrSql } from './sql-cidr.js';
import { inlineFlags, likePattern, shapeOf } from './strings.js';
import { sinceOf, type Backend, type ConvertOptions } from './target.js';

export const sqlIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

function like(col: string, op: 'LIKE' | 'ILIKE', s: SigmaString): string {
  const p = likePattern(s);
  return `${col} ${op} ${sqlString(p)}${p.includes('\\') ? " ESCAPE '\\'" : ''}`;
}

class SqlText extends TextBackend {
  readonly tokens: Tokens = { and: ' AND ', or: ' OR ', not: (i) => `NOT ${i}`, group: (i) => `(${i})`, groupAndInOr: true };
  override readonly threeValued = true;

  notNull(field: string): string {
    return `${sqlIdent(field)} IS NOT NULL`;
  }

  leaf(field: string, t: ValueTest, _ctx: Ctx): string {
    const col = sqlIdent(field);
    switch (t.kind) {
      case 'string': {
        if (t.value.hasPlaceholders) return 'false'; // the native engine matches nothing either
        if (t.cased && shapeOf(t.value).kind === 'exact') return `${col} = ${sqlString(t.value.plain)}`;
        return like(col, t.cased ? 'LIKE' : 'ILIKE', t.value);
      }
      case 'regex':
        return `regexp_matches(${col}, ${sqlString(inlineFlags(t.flags) + t.pattern)})`;
      case 'number':
        return `${col} = ${sqlString(String(t.value))}`;
      case 'bool':
        return `lower(${col}) = ${sqlString(String(t.value))}`;
      case 'null':
        return `list_contains("_nulls", ${sqlString(field)})`;
      case 'exists':
        return `${col} ${t.value ? 'IS NOT NULL' : 'IS NULL'}`;
      case 'compare':
        return `TRY_CAST(${col} AS DOUBLE) ${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[t.op]} ${t.value}`;
      case 'cidr': {
        if (t.cidr.version === 4) return ipv4InCidrSql(t.cidr, col);
        // IPv6: prefix patterns on the usual printed form (documented approximation).
        const alts = cidrToWildcards(t.cidr.text).map((w) => like(col, 'ILIKE', SigmaString.parse(w)));
        return alts.length === 1 ? alts[0]! : `(${alts.join(' OR ')})`;
      }
      case 'fieldref': {
        const a = t.cased ? col : `lower(${col})`;
        const b = t.cased ? sqlIdent(t.field) : `lower(${sqlIdent(t.field)})`;
        if (t.startsWith && t.endsWith) return `contains(${a}, ${b})`;
        if (t.startsWith) return `starts_with(${a}, ${b})`;
        if (t.endsWith) return `ends_with(${a}, ${b})`;
        return `${a} = ${b}`;
      }
    }
  }

  keyword(t: ValueTest): string {
    const any = (pred: string) => `len(list_filter("_strings", lambda s: ${pred})) > 0`;
    if (t.kind === 'string') {
      if (t.value.hasPlaceholders) return 'false';
      return any(like('s', t.cased ? 'LIKE' : 'ILIKE', t.value.withLeadingMulti().withTrailingMulti()));
    }
    if (t.kind === 'number') return any(like('s', 'ILIKE', new SigmaString([String(t.value)]).withLeadingMulti().withTrailingMulti()));
    if (t.kind === 'regex') return any(`regexp_matches(s, ${sqlString(inlineFlags(t.flags) + t.pattern)})`);
    return unsupported('SQL', `a ${t.kind} keyword`);
  }
}

/** Logsource → conditions on the meta columns, as RuleIndex compares them (lower-cased, umbrella categories). */
export function sqlLogsource(rule: SigmaRule): string[] {
  const out: string[] = [];
  const k = rule.logsourceKey;
  if (k.category !== undefined) {
    const cats = [k.category, ...(CATEGORY_ALIASES.get(k.category) ?? [])];
    out.push(cats.length === 1 ? `lower("_category") = ${sqlString(k.category)}` : `lower("_category") IN (${cats.map(sqlString).join(', ')})`);
  }
  if (k.product !== undefined) out.push(`lower("_product") = ${sqlString(k.product)}`);
  if (k.service !== undefined) out.push(`lower("_service") = ${sqlString(k.service)}`);
  return out;
}

function where(rule: SigmaRule, text: SqlText, withLogsource: boolean): string {
  const ls = withLogsource ? sqlLogsource(rule) : [];
  return ls.length === 0 ? text.condition(rule) : [...ls, text.conjunct(rule)].join(' AND ');
}

/** `_time` is epoch ms: the window compares it with now() in ms. */
function timeFilter(options: ConvertOptions): string[] {
  const s = sinceOf(options);
  return s ? [`"_time" > epoch_ms(now()) - ${s.ms}`] : [];
}

export const sqlBackend: Backend = {
  name: 'sql',
  description: 'DuckDB SQL over the flat events table (docs/conversion.md); ClickHouse notes in the docs',
  pipelines: ['flat', 'none'],
  rule(rule, options) {
    const w = where(rule, new SqlText(), options.pipeline !== 'none');
    const time = timeFilter(options);
    return `SELECT * FROM events WHERE ${time.length ? `${time[0]} AND (${w})` : w}${options.limit ? ` LIMIT ${options.limit}` : ''}`;
  },
  combine(pack: Pack, options) {
    const text = new SqlText();
    const conds = pack.rules.map((r) => where(r as SigmaRule, text, options.pipeline !== 'none'));
    // An empty label (the seed's unclassified WHERE rows) is NULL, as the seed's CASE … ELSE NULL gives.
    const labelOf = (r: Pack['rules'][number]) => pack.labels.get(r.id ?? '') ?? r.id ?? r.title;
    const arms = pack.rules.map((r, i) => `    WHEN ${conds[i]} THEN ${labelOf(r) ? sqlString(labelOf(r)) : 'NULL'}`);
    const label = pack.selection === 'first-match' ? 'label' : 'rule';
    const filters = [...timeFilter(options), `(\n    ${conds.map((c) => `(${c})`).join('\n    OR ')}\n  )`];
    return [
      'SELECT *,',
      '  CASE',
      ...arms,
      `  END AS ${label}`,
      'FROM events',
      `WHERE ${filters.join('\n  AND ')}`,
      ...(pack.order === 'time-desc' ? ['ORDER BY "_time" DESC, "_id"'] : []),
      ...(options.limit ? [`LIMIT ${options.limit}`] : []),
    ].join('\n');
  },
  correlation(c: Correlation, options) {
    return sqlCorrelation(c, options);
  },
};

function sqlCorrelation(c: Correlation, options: ConvertOptions): string {
  const text = new SqlText();
  const base = c.rules.map((r) => {
    const renames = renamesFor(c, r.name).map(([f, a]) => `, ${sqlIdent(f)} AS ${sqlIdent(a)}`).join('');
    return `SELECT *${renames}, ${sqlString(r.name)} AS sigma_rule FROM events WHERE ${where(r.rule, text, options.pipeline !== 'none')}`;
  });
  const group = c.groupBy.map(sqlIdent);
  const bucket = `time_bucket(INTERVAL ${c.timespan.seconds} SECONDS, to_timestamp("_time" / 1000))`;
  const keys = [bucket + ' AS bucket', ...group].join(', ');
  const by = ['bucket', ...group].join(', ');
  // UNION ALL BY NAME: base rules with different renames still line up.
  const from = `FROM (\n  ${base.join('\n  UNION ALL BY NAME\n  ')}\n) AS matched`;
  switch (c.type) {
    case 'event_count':
      return `SELECT ${keys}, count(*) AS event_count\n${from}\nGROUP BY ${by}\nHAVING ${c.condition.sql('event_count')}`;
    case 'value_count':
      return `SELECT ${keys}, count(DISTINCT ${sqlIdent(c.condition.field!)}) AS value_count\n${from}\nGROUP BY ${by}\nHAVING ${c.condition.sql('value_count')}`;
    case 'value_sum':
    case 'value_avg': {
      const fn = c.type === 'value_sum' ? 'sum' : 'avg';
      return `SELECT ${keys}, ${fn}(TRY_CAST(${sqlIdent(c.condition.field!)} AS DOUBLE)) AS ${c.type}\n${from}\nGROUP BY ${by}\nHAVING ${c.condition.sql(c.type)}`;
    }
    case 'temporal': {
      if (c.expression === undefined)
        return `SELECT ${keys}, count(DISTINCT sigma_rule) AS rule_count\n${from}\nGROUP BY ${by}\nHAVING rule_count >= ${c.rules.length}`;
      const cond = parseCondition(c.expression, c.rules.map((r) => r.name));
      const render = (n: CondNode): string =>
        n.op === 'ref' ? `bool_or(sigma_rule = ${sqlString(n.name)})` : n.op === 'not' ? `NOT ${render(n.child)}` : `(${n.children.map(render).join(n.op === 'and' ? ' AND ' : ' OR ')})`;
      return `SELECT ${keys}, list(DISTINCT sigma_rule) AS rules\n${from}\nGROUP BY ${by}\nHAVING ${render(cond)}`;
    }
    default:
      return unsupported('SQL', `correlation type '${c.type}'`);
  }
}
